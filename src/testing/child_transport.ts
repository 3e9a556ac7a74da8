/**
 * A real child process (any command: a consumer on Deno, Bun, Node, or in
 * another language), driven through its pipes. `node:child_process` works
 * on all three runtimes; it is loaded only when a child is spawned.
 *
 * @module
 */

import { splitLines } from "./split_lines.ts";
import type { DaemonTransport } from "./transport.ts";

/**
 * Where and how to start the child.
 *
 * @example Start a child in another folder
 * ```ts
 * import { FakeDaemon, type SpawnOptions } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 * import { realpath } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 *
 * // A minimal child in sh: answers initialize and leaseLost, exits when its stdin closes.
 * const answer = `while read -r line; do
 *   case "$line" in
 *     *'"initialize"'*) echo '{"action":"status","responseFor":"initialize"}' ;;
 *     *'"leaseLost"'*) echo '{"action":"status","responseFor":"leaseLost"}' ;;
 *   esac
 * done`;
 * const where: SpawnOptions = { cwd: tmpdir() };
 * const daemon = await FakeDaemon.spawn("/bin/sh", ["-c", `pwd >&2\n${answer}`], where);
 * await daemon.initialize();
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * assert.equal(await realpath(daemon.stderr[0] ?? ""), await realpath(tmpdir()));
 * ```
 */
export interface SpawnOptions {
  /** Environment of the child. @default {this process's environment} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working folder of the child. @default {this process's} */
  readonly cwd?: string;
}

/**
 * Starts `command` with `args` (no shell) and piped stdio; each complete
 * stderr line goes to `onStderr`.
 */
export async function childTransport(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  onStderr: (line: string) => void,
): Promise<DaemonTransport> {
  const { spawn } = await import("node:child_process");
  const { Readable, Writable } = await import("node:stream");
  const child = spawn(command, [...args], {
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once(
      "error",
      (error) =>
        reject(
          new Error(`Cannot start the child \`${[command, ...args].join(" ")}\`: ${error.message}`, { cause: error }),
        ),
    );
    child.once("close", (code) => resolve(code));
  });
  // Rejections surface through exited(); never as an unhandled rejection.
  exited.catch(() => {});
  // A child that dies mid-write must not crash the test with EPIPE.
  child.stdin.on("error", () => {});
  const input = (Writable.toWeb(child.stdin) as WritableStream<Uint8Array>).getWriter();
  const output = Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>;
  const stderr = Readable.toWeb(child.stderr) as ReadableStream<Uint8Array>;
  void (async () => {
    try {
      for await (const line of splitLines(stderr)) onStderr(line);
    } catch {
      // The child is gone; its exit is reported through exited().
    }
  })();
  const encoder = new TextEncoder();
  let closed = false;
  return {
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async write(text) {
      await input.write(encoder.encode(text));
    },
    lines: () => splitLines(output),
    async closeInput() {
      if (closed) return;
      closed = true;
      await input.close().catch(() => {});
    },
    exited: () => exited,
    kill() {
      closed = true;
      child.kill("SIGKILL");
    },
  };
}
