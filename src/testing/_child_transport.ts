/**
 * A real child process (any command: a consumer on Deno, Bun, Node, or in
 * another language), driven through its pipes. `node:child_process` works
 * on all three runtimes; it is loaded only when a child is spawned.
 *
 * @module
 */

import { splitLines } from "./_split_lines.ts";
import type { ChildOptions } from "./fake_daemon_options.ts";
import type { DaemonTransport } from "./transport.ts";

/**
 * Starts `command` with `args` (no shell) and piped stdio; each complete
 * stderr line goes to `onStderr`.
 */
export async function childTransport(
  command: string,
  args: readonly string[],
  options: Pick<ChildOptions, "env" | "cwd">,
  onStderr: (line: string) => void,
): Promise<DaemonTransport> {
  const { spawn } = await import("node:child_process");
  const { Readable, Writable } = await import("node:stream");
  const commandLine = [command, ...args].join(" ");
  const path = await asGiven(command);
  // Deno refuses a spawn without --allow-env at once (with --allow-env but not --allow-run, through "error").
  const child = (() => {
    try {
      return spawn(path, [...args], {
        stdio: ["pipe", "pipe", "pipe"],
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
    } catch (error) {
      throw startError(commandLine, command, error as Error);
    }
  })();
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once("error", (error) => reject(startError(commandLine, command, error)));
    child.once("close", (code) => resolve(code));
  });
  // A child that dies mid-write must not crash the test with EPIPE.
  child.stdin.on("error", () => {});
  const input = (Writable.toWeb(child.stdin) as WritableStream<Uint8Array>).getWriter();
  const output = Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>;
  const stderr = Readable.toWeb(child.stderr) as ReadableStream<Uint8Array>;
  const stderrRead = (async () => {
    try {
      for await (const line of splitLines(stderr)) onStderr(line);
    } catch {
      // The child is gone; its exit is reported through exited().
    }
  })();
  // Exited means every stderr line was delivered too, so a failure's message holds the child's last words.
  const exited = closed.then(async (code) => {
    await stderrRead;
    return code;
  });
  // Rejections surface through exited(); never as an unhandled rejection.
  exited.catch(() => {});
  const encoder = new TextEncoder();
  let inputClosed = false;
  return {
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async write(text) {
      await input.write(encoder.encode(text));
    },
    lines: () => splitLines(output),
    async closeInput() {
      if (inputClosed) return;
      inputClosed = true;
      await input.close().catch(() => {});
    },
    exited: () => exited,
    kill() {
      inputClosed = true;
      child.kill("SIGKILL");
    },
  };
}

/**
 * `command`, named so that the child runs exactly as given. Deno's
 * node:child_process gives a `deno run` of its own executable path every
 * permission (-A) when the arguments name none; the real daemon grants
 * nothing, so an absolute path is named by an equivalent one (`dir/./name`),
 * which is the same file on every runtime and which Deno does not recognise.
 */
async function asGiven(command: string): Promise<string> {
  const { basename, dirname, isAbsolute, sep } = await import("node:path");
  return isAbsolute(command) ? `${dirname(command)}${sep}.${sep}${basename(command)}` : command;
}

/** The Deno flags a child process needs: to run it, and to pass it the environment. */
const DENO_SPAWN_FLAGS = "--allow-run --allow-env";

/**
 * Says what to check when the command cannot start (the system's error code
 * alone does not); on Deno, a refused permission (`NotCapable`) is one line
 * naming the flags that grant it.
 */
function startError(commandLine: string, command: string, error: Error & { code?: string }): Error {
  if (error.name === "NotCapable" || error.name === "PermissionDenied") {
    return new Error(
      `Cannot start the child \`${commandLine}\`: Deno refused it (${error.message}); FakeDaemon.spawn needs ` +
        `${DENO_SPAWN_FLAGS}: run the tests with them, e.g. deno test ${DENO_SPAWN_FLAGS}`,
      { cause: error },
    );
  }
  const hint = error.code === "ENOENT"
    ? `no program \`${command}\` was found; check its spelling, that it is installed and on PATH, or give its path`
    : error.code === "EACCES"
    ? `\`${command}\` is not executable; check its execute permission`
    : undefined;
  const detail = hint === undefined ? error.message : `${hint} (${error.message})`;
  return new Error(`Cannot start the child \`${commandLine}\`: ${detail}`, { cause: error });
}
