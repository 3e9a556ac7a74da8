/**
 * The Web Streams face of {@linkcode LineSplitter}.
 *
 * @module
 */

import { LineSplitter, type LineSplitterOptions } from "./line_splitter.ts";

/**
 * A `TransformStream` from text (or UTF-8 bytes) to lines: the daemon's
 * stdin piped through `TextDecoderStream` and this stream gives one string
 * per daemon message. A line over the cap errors the stream with a
 * `ProtocolError` of kind `line-too-long`.
 *
 * @example Split decoded stdin into lines
 * ```ts
 * import { LineStream } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const bytes = ReadableStream.from([new TextEncoder().encode("one\r\ntw"), new TextEncoder().encode("o\nthree")]);
 * const lines = bytes.pipeThrough(new TextDecoderStream()).pipeThrough(new LineStream());
 * assert.deepEqual(await Array.fromAsync(lines), ["one", "two", "three"]);
 * ```
 */
export class LineStream extends TransformStream<string | Uint8Array, string> {
  /**
   * Creates the stream.
   *
   * @param options the line length cap
   */
  constructor(options: LineSplitterOptions = {}) {
    const splitter = new LineSplitter(options);
    super({
      transform(chunk, controller) {
        for (const line of splitter.push(chunk)) controller.enqueue(line);
      },
      flush(controller) {
        for (const line of splitter.end()) controller.enqueue(line);
      },
    });
  }
}
