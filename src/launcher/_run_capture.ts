/**
 * Runs a short-lived command and captures its output.
 *
 * @module
 */

import { spawn } from "node:child_process";

/** What a finished command produced. */
export interface CapturedRun {
  /** Exit code, or `null` when killed by a signal. */
  readonly code: number | null;
  /** Standard output and standard error, interleaved by arrival. */
  readonly output: string;
}

/** Runs `command` with `args`, stdin closed, and resolves with its output; rejects if it cannot start. */
export function runCapture(
  command: string,
  args: readonly string[],
): Promise<CapturedRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Uint8Array[] = [];
    child.stdout.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const decoder = new TextDecoder();
      const output = chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
      resolvePromise({ code, output });
    });
  });
}
