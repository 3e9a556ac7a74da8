/**
 * Every transport the session can run over, built over in-memory endpoints,
 * so that the session's conformance suites run over each of them on every
 * runtime: the portable Web Streams path, and the Deno, Bun and Node
 * adapters' transports (the same code `run()` uses over native stdio).
 */

import { Readable, Writable } from "node:stream";
import type { SessionTransport } from "../../mod.ts";
import { streamTransport } from "../../src/session/stream_transport.ts";
import { bunTransport } from "../../src/runtime/_bun_transport.ts";
import { denoTransport } from "../../src/runtime/_deno_transport.ts";
import { nodeTransport } from "../../src/runtime/_node_transport.ts";

/** A transport implementation. */
export type TransportKind = "streams" | "deno" | "bun" | "node";

/** All of them. */
export const TRANSPORT_KINDS: readonly TransportKind[] = ["streams", "deno", "bun", "node"];

/** Receives each reply as it is written; may throw or reject to fail the write. */
export type ReplySink = (text: string) => void | Promise<void>;

const decoder = new TextDecoder();

/**
 * A transport of `kind` reading the daemon's bytes from `input` and writing
 * replies to `output` (a sink, or for `streams` also a `WritableStream`).
 * The line cap comes from the session (`KclProcessOptions.maxLineLength`);
 * `collectGarbage` is what a runtime adapter gives its transport.
 */
export function memoryTransport(
  kind: TransportKind,
  input: ReadableStream<Uint8Array>,
  output: ReplySink | WritableStream<Uint8Array>,
  collectGarbage?: () => void,
): SessionTransport {
  const options = collectGarbage === undefined ? {} : { collectGarbage };
  if (kind === "streams") {
    const stream = typeof output === "function"
      ? new WritableStream<Uint8Array>({ write: (chunk) => output(decoder.decode(chunk)) })
      : output;
    return streamTransport(input, stream);
  }
  if (typeof output !== "function") throw new TypeError(`Cannot build a ${kind} transport over a WritableStream`);
  switch (kind) {
    case "deno":
      return denoTransport(byteStreamOf(input), {
        writeSync(bytes) {
          void output(decoder.decode(bytes))?.catch(() => {});
          return bytes.length;
        },
        async write(bytes) {
          await output(decoder.decode(bytes));
          return bytes.length;
        },
      }, options);
    case "bun":
      return bunTransport(input, {
        write(chunk) {
          const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
          const written = output(text);
          return written === undefined ? text.length : written.then(() => text.length);
        },
        flush: () => 0,
      }, options);
    case "node":
      return nodeTransport(
        Readable.fromWeb(input as Parameters<typeof Readable.fromWeb>[0]),
        new Writable({
          decodeStrings: false,
          write(chunk: string | Uint8Array, _encoding, callback) {
            try {
              const written = output(typeof chunk === "string" ? chunk : decoder.decode(chunk));
              if (written === undefined) callback();
              else written.then(() => callback(), callback);
            } catch (error) {
              callback(error as Error);
            }
          },
        }),
        options,
      );
  }
}

/** `source` as a byte stream (Deno's stdin is one: the transport reads it into one reused buffer). */
export function byteStreamOf(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      const next = await reader.read();
      if (next.done) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      controller.enqueue(next.value.slice());
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
