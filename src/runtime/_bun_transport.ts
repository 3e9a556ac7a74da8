/**
 * The session's transport over Bun's stdio: `Bun.stdin.stream()` and a
 * `FileSink` flushed on every reply (a reply left in Bun's buffer would
 * never reach the daemon). Few functions on a small action's path: Bun's
 * compilers tier up per function, and a child meets most of its small
 * actions while they still compile (bench/README.md, "Third pass").
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import { closeOnce } from "./_exit_deadline.ts";
import { LineFeed } from "./_line_feed.ts";
import { MemoryReturn } from "./_memory_return.ts";
import { PendingWrites } from "./_pending_writes.ts";
import type { StdioOptions } from "./_host.ts";

/** The part of Bun's `FileSink` the transport writes through. */
export interface BunSink {
  write(chunk: string | Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
}

/** Writes `chunk` to `sink` and flushes it; a promise only while the sink is still writing. */
export function writeAndFlush(sink: BunSink, chunk: string | Uint8Array): void | Promise<void> {
  const written = sink.write(chunk);
  if (typeof written !== "number") return written.then(() => flushSink(sink));
  const flushed = sink.flush();
  if (typeof flushed !== "number") return flushed.then(() => {});
}

function flushSink(sink: BunSink): void | Promise<void> {
  const flushed = sink.flush();
  return typeof flushed === "number" ? undefined : flushed.then(() => {});
}

/** A transport over `input` (stdin's stream) and `sink` (stdout's, made before the guard). */
export function bunTransport(
  input: ReadableStream<Uint8Array>,
  sink: BunSink,
  options: StdioOptions = {},
  onClose: (deadline: number) => void = () => {},
): SessionTransport {
  const pending = new PendingWrites();
  // Bun's stdin stream hands over a fresh buffer per read: the splitter need not copy them.
  const feedOptions = { ...options, keepChunks: true };
  let feed: LineFeed | undefined;
  const memory = new MemoryReturn(() => feed?.release(), options.releaseAfterBig);
  return {
    read(listener) {
      const lines = new LineFeed(listener, feedOptions, memory);
      feed = lines;
      const reader = input.getReader();
      void lines.readAll(reader);
      return () => {
        lines.stop();
        reader.cancel().catch(() => {});
      };
    },
    writeLine(line) {
      // `writeAndFlush`, in place: one call less per reply.
      const written = sink.write(line);
      if (typeof written !== "number") return pending.track(written.then(() => flushSink(sink)));
      const flushed = sink.flush();
      if (typeof flushed !== "number") return pending.track(flushed.then(() => {}));
    },
    actionAnswered: memory.answered,
    close: closeOnce(onClose, () => pending.done()),
  };
}
