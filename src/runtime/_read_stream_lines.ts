/**
 * Reads a byte `ReadableStream` (Deno's and Bun's stdin) into lines for a
 * session: a byte stream into one reused buffer (a default reader would
 * allocate and zero a fresh buffer per read), other streams chunk by chunk.
 *
 * @module
 */

import type { ReplyWait } from "./_await_reply.ts";
import type { LineFeed } from "./_line_feed.ts";

const READ_SIZE = 64 * 1024;

/**
 * Delivers `input`'s lines through `feed` until it ends, fails or the
 * returned function is called. With `replyWait`, the read after a chunk that
 * completed a line first waits a little for the reply (see `_await_reply.ts`).
 */
export function readStreamLines(
  input: ReadableStream<Uint8Array>,
  feed: LineFeed,
  replyWait?: ReplyWait,
): () => void {
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = input.getReader({ mode: "byob" });
    reader = byob;
  } catch {
    // Not a byte stream (Bun's stdin).
    reader = input.getReader();
  }
  const plain = reader as ReadableStreamDefaultReader<Uint8Array>;
  void (async () => {
    // Read in this one loop, with no async layer per read: two reads per small action.
    let buffer = new ArrayBuffer(READ_SIZE);
    try {
      for (;;) {
        const next = byob !== undefined ? await byob.read(new Uint8Array(buffer, 0, READ_SIZE)) : await plain.read();
        if (feed.done) return;
        if (next.done) return feed.end();
        // A BYOB read transferred the buffer into the chunk: take it back for the next read.
        if (byob !== undefined) buffer = next.value.buffer as ArrayBuffer;
        // The lines this chunk completes are delivered now: their reply is still to come.
        replyWait?.line();
        if (feed.push(next.value) > 0 && replyWait !== undefined) {
          // No wait (not even a microtask's) when the reply went out with the lines.
          const waiting = replyWait.settle();
          if (waiting !== undefined) await waiting;
        }
      }
    } catch (error) {
      feed.finish(error);
    }
  })();
  return () => {
    feed.stop();
    reader.cancel().catch(() => {});
  };
}
