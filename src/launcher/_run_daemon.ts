/**
 * Runs the daemon with inherited stdio, forwarding SIGINT/SIGTERM, and
 * resolves with its exit code.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { formatRefusal, type HostSignal, permissionRefusal } from "../runtime/cli.ts";
import { messageOf } from "../session/describe_error.ts";
import { LauncherError } from "./launcher_error.ts";

/**
 * Starts `command[0]` with the remaining words and waits for it. A signal
 * passed to `onSignal`'s handler is sent on to the daemon (a supervisor's
 * SIGTERM reaches only us; the daemon then shuts its workers down). Resolves
 * with the exit code, or 128 + the signal number if it died of a signal.
 */
export function runDaemon(
  command: readonly string[],
  onSignal?: (signal: HostSignal, handler: () => void) => void,
  environment?: Record<string, string>,
): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined) return Promise.resolve(1);
  const cannotStart = (error: unknown): LauncherError => {
    const refusal = permissionRefusal(error);
    const why = refusal !== undefined ? formatRefusal(refusal) : messageOf(error);
    return new LauncherError(
      refusal === undefined ? "java" : "permission",
      `Cannot start the daemon with ${program}: ${why}`,
      {
        cause: error,
      },
    );
  };
  return new Promise((resolvePromise, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(
        program,
        args,
        environment === undefined ? { stdio: "inherit" } : { stdio: "inherit", env: environment },
      );
    } catch (error) {
      // Deno refuses a spawn it has no permission for at once, not through the `error` event.
      reject(cannotStart(error));
      return;
    }
    let exited = false;
    for (const signal of HOST_SIGNALS) {
      onSignal?.(signal, () => {
        if (!exited) child.kill(signal);
      });
    }
    child.on("error", (error) => {
      exited = true;
      reject(cannotStart(error));
    });
    child.on("exit", (code, signal) => {
      exited = true;
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (signal === null ? 0 : constants.signals[signal] ?? 0));
    });
  });
}

const HOST_SIGNALS: readonly HostSignal[] = ["SIGINT", "SIGTERM"];
