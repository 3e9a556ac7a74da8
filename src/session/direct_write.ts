/**
 * A fast path past `WritableStream` for the session's replies. A host
 * adapter builds stdout with {@linkcode writableWithTextWrite}; the session
 * then writes its reply lines as text through the adapter's function
 * instead of encoding each one and queueing it through the stream's writer.
 * Per reply that saved a `TextEncoder` call (~2 µs on Node) and the
 * writer's promise bookkeeping (~10 µs on Deno). Any other `WritableStream`
 * works as before.
 *
 * @module
 */

/**
 * Writes one chunk, in order after every earlier chunk. Returns nothing
 * when the chunk was accepted at once, or a promise that settles once the
 * next chunk may be written (backpressure) or the write failed.
 */
export type ChunkWrite<T> = (chunk: T) => void | Promise<void>;

/** The two ways into one output: bytes (the stream) and text (the session's replies). */
export interface TextWritable {
  readonly write: ChunkWrite<Uint8Array>;
  readonly writeText: ChunkWrite<string>;
}

const textWrites = new WeakMap<WritableStream<Uint8Array>, ChunkWrite<string>>();

/**
 * A `WritableStream` over `sink.write` whose text writes can also be made
 * directly (see {@linkcode textWriteOf}).
 *
 * @example Write text past the stream's queue
 * ```ts
 * import { textWriteOf, writableWithTextWrite } from "./direct_write.ts";
 * import assert from "node:assert/strict";
 *
 * const chunks: string[] = [];
 * const stream = writableWithTextWrite({
 *   write: (chunk) => void chunks.push(new TextDecoder().decode(chunk)),
 *   writeText: (text) => void chunks.push(text),
 * });
 * textWriteOf(stream)?.("a");
 * await stream.getWriter().write(new TextEncoder().encode("b"));
 * assert.deepEqual(chunks, ["a", "b"]);
 * ```
 */
export function writableWithTextWrite(sink: TextWritable): WritableStream<Uint8Array> {
  const stream = new WritableStream<Uint8Array>({ write: (chunk) => sink.write(chunk) });
  textWrites.set(stream, sink.writeText);
  return stream;
}

/** The direct text write of a stream made by {@linkcode writableWithTextWrite}, else `undefined`. */
export function textWriteOf(stream: WritableStream<Uint8Array>): ChunkWrite<string> | undefined {
  return textWrites.get(stream);
}
