/**
 * The portable transport: any pair of Web Streams.
 *
 * @module
 */

import { LineStream } from "../protocol/line_stream.ts";
import type { LineSplitterOptions } from "../protocol/line_splitter.ts";
import type { LineListener, SessionTransport } from "./transport.ts";

/**
 * A {@linkcode SessionTransport} over a pair of Web Streams: the input is
 * piped through `TextDecoderStream` and a `LineStream`, replies are encoded
 * and written to `output`. It locks both streams. This is what `KclProcess`
 * builds from `input`/`output`, and it runs on any platform with Web Streams.
 *
 * @example A session over in-memory streams
 * ```ts
 * import { KclProcess, streamTransport } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const line = '{"action":"initialize","shardId":"shardId-0","sequenceNumber":null,"subSequenceNumber":null}\n';
 * const input = ReadableStream.from([new TextEncoder().encode(line)]);
 * const replies: string[] = [];
 * const output = new WritableStream<Uint8Array>({ write: (chunk) => void replies.push(new TextDecoder().decode(chunk)) });
 * const result = await new KclProcess({ processRecords() {} }, { transport: streamTransport(input, output) }).run();
 * assert.equal(result.exitCode, 0);
 * assert.deepEqual(replies, ['{"action":"status","responseFor":"initialize"}\n']);
 * ```
 *
 * @param input the daemon's bytes (the child's stdin)
 * @param output where replies go (the child's stdout); nothing else may write to it
 * @param options the longest line accepted (else the session's `maxLineLength`)
 */
export function streamTransport(
  input: ReadableStream<Uint8Array>,
  output: WritableStream<Uint8Array>,
  options: LineSplitterOptions = {},
): SessionTransport {
  const writer = output.getWriter();
  const encoder = new TextEncoder();
  let closed: Promise<void> | undefined;
  return {
    read(listener: LineListener): () => void {
      // (The cast bridges a variance quirk of the DOM typings: it writes any BufferSource.)
      const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
      // The tighter of this transport's cap and the session's.
      const maxLineLength = Math.min(options.maxLineLength ?? Infinity, listener.maxLineLength ?? Infinity);
      const cap = maxLineLength === Infinity ? {} : { maxLineLength };
      const reader = input.pipeThrough(decoder).pipeThrough(new LineStream(cap)).getReader();
      let stopped = false;
      void (async () => {
        try {
          for (;;) {
            const next = await reader.read();
            if (stopped) return;
            if (next.done) return listener.end();
            listener.line(next.value);
          }
        } catch (error) {
          if (!stopped) listener.end(error);
        }
      })();
      return () => {
        stopped = true;
        reader.cancel().catch(() => {});
      };
    },
    writeLine: (line) => writer.write(encoder.encode(line)),
    close: () => closed ??= writer.close().catch(() => {}),
  };
}
