/**
 * The transport Deno's and Bun's adapters share: stdin as a `ReadableStream`,
 * replies through the runtime's own write.
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import type { ReplyWait } from "./_await_reply.ts";
import { closeOnce } from "./_exit_deadline.ts";
import { LineFeed } from "./_line_feed.ts";
import { MemoryReturn } from "./_memory_return.ts";
import { PendingWrites } from "./_pending_writes.ts";
import { readStreamLines } from "./_read_stream_lines.ts";
import type { StdioOptions } from "./_host.ts";

/**
 * A transport reading `input` and writing each reply with `write` (which
 * returns a promise only while a write is still under way). `close()` waits
 * for the last write, at most `EXIT_FLUSH_MS`, and reports its
 * deadline to `onClose`. With `replyWait`, each read after lines waits a
 * little for their reply (Deno).
 */
export function streamStdioTransport(
  input: ReadableStream<Uint8Array>,
  write: (line: string) => void | Promise<void>,
  options: StdioOptions,
  onClose: (deadline: number) => void,
  replyWait?: ReplyWait,
): SessionTransport {
  const pending = new PendingWrites();
  let feed: LineFeed | undefined;
  const memory = new MemoryReturn(() => feed?.release(), options.releaseAfterBig);
  return {
    read(listener) {
      feed = new LineFeed(listener, options, memory);
      return readStreamLines(input, feed, replyWait);
    },
    writeLine(line) {
      replyWait?.wrote();
      return pending.track(write(line));
    },
    actionAnswered: memory.answered,
    close: closeOnce(onClose, () => pending.done()),
  };
}
