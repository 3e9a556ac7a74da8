/**
 * Lines of a child's stdout, as the daemon's reader sees them.
 *
 * @module
 */

import { LineSplitter } from "../protocol/line_splitter.ts";

/** Splits a byte stream into lines (one trailing `\r` stripped); yields a final unterminated line too. */
export async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const splitter = new LineSplitter();
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    yield* splitter.push(decoder.decode(chunk, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest !== "") yield* splitter.push(rest);
  yield* splitter.end();
}
