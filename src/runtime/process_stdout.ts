/**
 * Redirects `process.stdout.write` to `process.stderr` (Node, Bun and Deno's
 * Node layer). Capture the real stdout writer before calling this.
 *
 * @module
 */

/** The part of Node's `process` the guard touches. */
export interface ProcessLike {
  stdout: { write: (...args: never[]) => boolean };
  stderr: { write: (...args: never[]) => boolean };
}

/** Makes every later `process.stdout.write(...)` write to stderr instead. */
export function patchProcessStdout(proc: ProcessLike): void {
  const stderr = proc.stderr;
  const write = stderr.write.bind(stderr) as (...args: unknown[]) => boolean;
  (proc.stdout as { write: (...args: unknown[]) => boolean }).write = (...args) => write(...args);
}
