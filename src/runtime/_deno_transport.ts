/**
 * The session's transport over Deno's stdio: stdin read as a byte stream
 * into one reused buffer, replies written synchronously when small.
 *
 * @module
 */

import { LineSplitter } from "../protocol/line_splitter.ts";
import type { SessionTransport } from "../session/transport.ts";
import { settledBy } from "./_bounded.ts";
import { readStreamLines } from "./_read_stream_lines.ts";
import { EXIT_FLUSH_MS, type StdioOptions } from "./host.ts";

/** The part of `Deno.stdout` the transport writes through. */
export interface DenoWriter {
  write(bytes: Uint8Array): Promise<number>;
  writeSync(bytes: Uint8Array): number;
}

/**
 * Longest reply written synchronously. Deno's asynchronous stdio write runs
 * on a worker thread; a small synchronous write cannot block, because the
 * session writes one reply per daemon message and the daemon reads each
 * before it sends the next, so the pipe never holds more than one reply.
 */
const SYNC_WRITE_LIMIT = 16 * 1024;

/**
 * A transport over `input` (stdin's byte stream) and `output` (stdout's
 * write methods, bound before the stdout guard repoints them).
 */
export function denoTransport(
  input: ReadableStream<Uint8Array>,
  output: DenoWriter,
  options: StdioOptions = {},
  onClose: (deadline: number) => void = () => {},
): SessionTransport {
  const encoder = new TextEncoder();
  let replied = false;
  let pending: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) offset += await output.write(bytes.subarray(offset));
  };
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
      const bytes = encoder.encode(line);
      if (pending === undefined && bytes.length <= SYNC_WRITE_LIMIT) {
        let offset = 0;
        while (offset < bytes.length) offset += output.writeSync(bytes.subarray(offset));
        return;
      }
      // Larger replies go asynchronously; later ones wait for them, in order.
      const written: Promise<void> = (pending ?? Promise.resolve()).then(() => writeAll(bytes)).finally(() => {
        if (pending === written) pending = undefined;
      });
      pending = written;
      return written;
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
