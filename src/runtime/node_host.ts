/**
 * The Node adapter. Loaded only on Node (dynamically, from `host.ts`), so
 * Deno and Bun never pay for `node:*` modules they do not need.
 *
 * @module
 */

import process from "node:process";
import { Readable } from "node:stream";
import { redirectConsoleToStderr } from "./console_guard.ts";
import type { Host } from "./host.ts";
import { patchProcessStdout } from "./process_stdout.ts";

/** Creates the Node host adapter. */
export function createNodeHost(): Host {
  return {
    runtime: "node",
    execPath: process.execPath,
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    stdin: () => Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    stdout: () => nodeWritable(process.stdout),
    writeStderr: (text) => void process.stderr.write(text),
    stderrIsTerminal: () => process.stderr.isTTY === true,
    guardStdout() {
      redirectConsoleToStderr();
      patchProcessStdout(process);
    },
    onSignal: (signal, handler) => void process.on(signal, handler),
    exit: (code) => process.exit(code),
  };
}

/**
 * A `WritableStream` over a Node stream that resolves each write from the
 * **original** `write`'s callback (captured before the guard patches it), so
 * backpressure is real and an EPIPE rejects instead of crashing.
 */
export function nodeWritable(stream: NodeJS.WritableStream): WritableStream<Uint8Array> {
  const write = stream.write.bind(stream);
  let failure: Error | undefined;
  // Without a listener an EPIPE would be an uncaught exception.
  stream.on("error", (error: Error) => (failure ??= error));
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise<void>((resolve, reject) => {
        write(chunk, (error?: Error | null) => (error ? reject(error) : resolve()));
      });
    },
  });
}
