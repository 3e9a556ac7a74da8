/**
 * The Node adapter. Loaded only on Node (dynamically, from `host.ts`), so
 * Deno and Bun never pay for `node:*` modules they do not need.
 *
 * @module
 */

import process from "node:process";
import { readableWithSubscribe } from "../session/chunk_source.ts";
import { writableWithTextWrite } from "../session/direct_write.ts";
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
 * A `ReadableStream` of the bytes of a Node stream, whose chunks the session
 * takes straight from the `data` events instead (see `subscribeChunks`).
 */
export function nodeReadable(stream: NodeJS.ReadableStream): ReadableStream<Uint8Array> {
  return readableWithSubscribe((listener) => {
    let ended = false;
    const detach = () => {
      ended = true;
      stream.off("data", onData);
      stream.off("end", onEnd);
    };
    const finish = (error?: unknown) => {
      if (ended) return;
      detach();
      listener.end(error);
    };
    const onData = (chunk: Uint8Array) => {
      // Never throw into Node's event emitter: it would be an uncaught exception.
      try {
        listener.chunk(chunk);
      } catch (error) {
        finish(error);
      }
    };
    const onEnd = () => finish();
    stream.on("data", onData);
    stream.on("end", onEnd);
    // Kept for good: an unhandled `error` event would be an uncaught exception.
    stream.on("error", (error: Error) => finish(error));
    return {
      stop() {
        detach();
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      },
      pause: () => void stream.pause(),
      resume: () => void stream.resume(),
    };
  });
}

/**
 * A `WritableStream` over a Node stream (with a text write for the
 * session), writing through the **original** `write` (captured before the
 * guard patches it). A write the stream accepts completes at once; when it
 * signals backpressure the next write waits for `drain`. An EPIPE rejects
 * instead of crashing.
 */
export function nodeWritable(stream: NodeJS.WritableStream): WritableStream<Uint8Array> {
  const write = stream.write.bind(stream);
  let failure: Error | undefined;
  // Without a listener an EPIPE would be an uncaught exception.
  stream.on("error", (error: Error) => (failure ??= error));
  // Node writes text without a TextEncoder call: the session's replies go that way.
  const writeChunk = (chunk: Uint8Array | string): void | Promise<void> => {
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
  };
  return writableWithTextWrite({ write: writeChunk, writeText: writeChunk });
}
