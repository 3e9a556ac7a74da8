/**
 * Helpers for feeding text and bytes through the library's line splitting
 * in chosen chunks.
 */

import { type LineSplitterOptions, LineStream } from "../../src/protocol/mod.ts";

/** A stream of `chunks` (`ReadableStream.from` is missing from the DOM typings tsc checks against). */
export function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Collects the lines of `chunks` (text) through a {@linkcode LineStream}. */
export async function linesOfTextChunks(
  chunks: readonly string[],
  options: LineSplitterOptions = {},
): Promise<string[]> {
  return await Array.fromAsync(streamOf(chunks).pipeThrough(new LineStream(options)));
}

/** Collects the lines of `chunks` (UTF-8 bytes) through `TextDecoderStream` and a {@linkcode LineStream}. */
export async function linesOfByteChunks(
  chunks: readonly Uint8Array[],
  options: LineSplitterOptions = {},
): Promise<string[]> {
  const text = streamOf(chunks).pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>);
  return await Array.fromAsync(text.pipeThrough(new LineStream(options)));
}
