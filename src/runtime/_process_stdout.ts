/**
 * Redirects `process.stdout.write` (Node, Bun and Deno's Node layer) to
 * stderr. Capture the real stdout writer before calling this.
 *
 * @module
 */

/** The part of Node's `process` the guard touches. */
export interface ProcessLike {
  stdout: { write: (...args: never[]) => boolean };
  stderr: { write: (...args: never[]) => boolean };
}

/**
 * Makes every later `process.stdout.write(chunk[, encoding][, callback])`
 * go to `write` (default: the real `process.stderr.write`).
 */
export function patchProcessStdout(proc: ProcessLike, write?: (text: string) => void): void {
  const stdout = proc.stdout as { write: (...args: unknown[]) => boolean };
  if (write === undefined) {
    const stderr = proc.stderr;
    const stderrWrite = stderr.write.bind(stderr) as (...args: unknown[]) => boolean;
    stdout.write = (...args) => stderrWrite(...args);
    return;
  }
  const decoder = new TextDecoder();
  stdout.write = (chunk, ...rest) => {
    write(typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (callback !== undefined) queueMicrotask(callback);
    return true;
  };
}
