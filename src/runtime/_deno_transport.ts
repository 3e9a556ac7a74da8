/**
 * The session's transport over Deno's stdio: stdin read as a byte stream
 * into one reused buffer, replies written synchronously when small.
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import { streamStdioTransport } from "./_stream_stdio_transport.ts";
import type { StdioOptions } from "./_host.ts";

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
  let chain: Promise<void> | undefined;
  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) offset += await output.write(bytes.subarray(offset));
  };
  const write = (line: string): void | Promise<void> => {
    const bytes = encoder.encode(line);
    if (chain === undefined && bytes.length <= SYNC_WRITE_LIMIT) {
      let offset = 0;
      while (offset < bytes.length) offset += output.writeSync(bytes.subarray(offset));
      return;
    }
    // Larger replies go asynchronously; later ones wait for them, in order.
    const written: Promise<void> = (chain ?? Promise.resolve()).then(() => writeAll(bytes)).finally(() => {
      if (chain === written) chain = undefined;
    });
    chain = written;
    return written;
  };
  return streamStdioTransport(input, write, options, onClose);
}
