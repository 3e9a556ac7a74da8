/**
 * The session's transport over Bun's stdio: `Bun.stdin.stream()` and a
 * `FileSink` flushed on every reply (a reply left in Bun's buffer would
 * never reach the daemon).
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import { streamStdioTransport } from "./_stream_stdio_transport.ts";
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
  // Bun's stdin stream hands over a fresh buffer per read: the splitter need not copy them.
  return streamStdioTransport(input, (line) => writeAndFlush(sink, line), { ...options, keepChunks: true }, onClose);
}
