/**
 * The session's transport over Bun's stdio: `Bun.stdin.stream()` and a
 * `FileSink` flushed on every reply (a reply left in Bun's buffer would
 * never reach the daemon).
 *
 * @module
 */

import { LineSplitter } from "../protocol/line_splitter.ts";
import type { SessionTransport } from "../session/transport.ts";
import { settledBy } from "./_bounded.ts";
import { readStreamLines } from "./_read_stream_lines.ts";
import { EXIT_FLUSH_MS, type StdioOptions } from "./host.ts";

/** The part of Bun's `FileSink` the transport writes through. */
export interface BunSink {
  write(chunk: string | Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
}

/** Writes `chunk` to `sink` and flushes it; a promise only while the sink is still writing. */
export function writeAndFlush(sink: BunSink, chunk: string | Uint8Array): void | Promise<void> {
  const written = sink.write(chunk);
  if (typeof written !== "number") return written.then(() => flushSink(sink));
  return flushSink(sink);
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
  let replied = false;
  let pending: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  return {
    read: (listener) =>
      readStreamLines(input, new LineSplitter(options), {
        line(text) {
          replied = false;
          listener.line(text);
        },
        end: (error) => listener.end(error),
      }, () => replied),
    writeLine(line) {
      replied = true;
      const written = writeAndFlush(sink, line);
      if (written === undefined) return;
      const tracked: Promise<void> = written.finally(() => {
        if (pending === tracked) pending = undefined;
      });
      pending = tracked;
      return tracked;
    },
    close() {
      if (closed !== undefined) return closed;
      const deadline = Date.now() + EXIT_FLUSH_MS;
      onClose(deadline);
      closed = settledBy(pending ?? Promise.resolve(), deadline).then(() => {});
      return closed;
    },
  };
}
