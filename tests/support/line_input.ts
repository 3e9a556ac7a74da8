/**
 * Helpers for feeding text and bytes through the library's line splitting
 * in chosen chunks, and a seeded random source so that "random" inputs are
 * the same on every run and every runtime.
 */

import { type LineSplitterOptions, LineStream } from "../../mod.ts";

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

/** A deterministic pseudo-random source in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
