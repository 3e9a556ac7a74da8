/**
 * Runs the daemon with inherited stdio, forwarding SIGINT/SIGTERM, and
 * resolves with its exit code.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { LauncherError } from "./launcher_error.ts";

/**
 * The signals forwarded to the daemon.
 */
export type ForwardedSignal = "SIGINT" | "SIGTERM";

/**
 * Starts `command[0]` with the remaining words and waits for it. A signal
 * passed to `onSignal`'s handler is sent on to the daemon (a supervisor's
 * SIGTERM reaches only us; the daemon then shuts its workers down). Resolves
 * with the exit code, or 128 + the signal number if it died of a signal.
 */
export function runDaemon(
  command: readonly string[],
  onSignal?: (signal: ForwardedSignal, handler: () => void) => void,
  environment?: Record<string, string>,
): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined) return Promise.resolve(1);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      program,
      args,
      environment === undefined ? { stdio: "inherit" } : { stdio: "inherit", env: environment },
    );
    let exited = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      onSignal?.(signal, () => {
        if (!exited) child.kill(signal);
      });
    }
    child.on("error", (error) => {
      exited = true;
      reject(
        new LauncherError(
          "java",
          `Cannot start the daemon with ${program}: ${error.message}`,
        ),
      );
    });
    child.on("exit", (code, signal) => {
      exited = true;
      if (code !== null) resolvePromise(code);
      else {resolvePromise(
          128 + (signal === null ? 0 : constants.signals[signal] ?? 0),
        );}
    });
  });
}
