/**
 * The Node adapter. Loaded only on Node (dynamically, from `host.ts`), so
 * Deno and Bun never pay for `node:*` modules they do not need.
 *
 * @module
 */

import process from "node:process";
import { redirectConsoleToStderr } from "./console_guard.ts";
import type { Host } from "./host.ts";
import { definedValues } from "./host.ts";
import { patchProcessStdout } from "./process_stdout.ts";

/** Creates the Node host adapter. */
export function createNodeHost(): Host {
  return {
    runtime: "node",
    execPath: process.execPath,
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    environment: () => definedValues(process.env),
    stdin: () => nodeReadable(process.stdin),
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
 * A byte `ReadableStream` over a Node stream, paused while more than 1 MiB
 * waits unread (backpressure without a pause/resume per small action).
 * `Readable.toWeb` costs a third more CPU per megabyte.
 */
export function nodeReadable(stream: NodeJS.ReadableStream): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on("data", (chunk: Uint8Array) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) stream.pause();
      });
      stream.on("end", () => controller.close());
      stream.on("error", (error: Error) => controller.error(error));
    },
    pull() {
      if (stream.isPaused()) stream.resume();
    },
    cancel() {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 1024 * 1024 }));
}

/**
 * A `WritableStream` over a Node stream, writing through the **original**
 * `write` (captured before the guard patches it). A write the stream accepts
 * completes at once; when it signals backpressure the next write waits for
 * `drain`. An EPIPE rejects instead of crashing.
 */
export function nodeWritable(stream: NodeJS.WritableStream): WritableStream<Uint8Array> {
  const write = stream.write.bind(stream);
  let failure: Error | undefined;
  // Without a listener an EPIPE would be an uncaught exception.
  stream.on("error", (error: Error) => (failure ??= error));
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (failure !== undefined) throw failure;
      if (write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          stream.off("drain", settle);
          stream.off("error", settle);
          if (error === undefined) resolve();
          else reject(error);
        };
        stream.on("drain", settle);
        stream.on("error", settle);
      });
    },
  });
}
