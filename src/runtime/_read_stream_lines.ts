/**
 * Reads a byte `ReadableStream` (Deno's and Bun's stdin) into lines for a
 * session: a byte stream into one reused buffer (a default reader would
 * allocate and zero a fresh buffer per read), other streams chunk by chunk.
 *
 * @module
 */

import type { LineSplitter } from "../protocol/line_splitter.ts";
import type { LineListener } from "../session/transport.ts";

const READ_SIZE = 64 * 1024;
/** Microtask turns to wait for the reply to a chunk's lines before reading on. */
const REPLY_TURNS = 16;

/**
 * Delivers `input`'s lines to `listener` until it ends, fails or the
 * returned function is called. After a chunk that completed a line, the next
 * read waits a few microtask turns for `replied()` — a read started before
 * the reply went out makes the runtime switch threads once more per action —
 * but never longer, so the end of the input is still seen while user code is
 * busy.
 */
export function readStreamLines(
  input: ReadableStream<Uint8Array>,
  splitter: LineSplitter,
  listener: LineListener,
  replied: () => boolean,
): () => void {
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  let read: () => Promise<ReadableStreamReadResult<Uint8Array>>;
  try {
    const byob = input.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(READ_SIZE);
    read = async () => {
      const result = await byob.read(new Uint8Array(buffer, 0, READ_SIZE));
      // The read transferred the buffer into the chunk: take it back for the next read.
      if (result.value !== undefined) buffer = result.value.buffer as ArrayBuffer;
      return result;
    };
    reader = byob;
  } catch {
    // Not a byte stream (Bun's stdin).
    const plain = input.getReader();
    read = () => plain.read();
    reader = plain;
  }
  let stopped = false;
  void (async () => {
    try {
      for (;;) {
        const next = await read();
        if (stopped) return;
        if (next.done) {
          for (const line of splitter.end()) listener.line(line);
          return listener.end();
        }
        const lines = splitter.push(next.value);
        for (const line of lines) {
          if (stopped) return;
          listener.line(line);
        }
        if (lines.length === 0) continue;
        for (let turn = 0; turn < REPLY_TURNS && !replied(); turn++) await undefined;
      }
    } catch (error) {
      if (!stopped) listener.end(error);
    }
  })();
  return () => {
    stopped = true;
    reader.cancel().catch(() => {});
  };
}
