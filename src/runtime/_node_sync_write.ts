/**
 * Node's replies: written straight to stdout's descriptor when small and
 * nothing is queued in the stream, past `Writable`'s machinery (its state,
 * write request and after-write tick per reply). Node's own write to a pipe is
 * already synchronous when the pipe has room, so the bytes, their order and
 * the syscall are the same (bench/README.md, "Third pass").
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { writeSync } from "node:fs";

/**
 * Longest reply written straight, in characters: a pipe takes up to
 * `PIPE_BUF` bytes whole or not at all. The session writes one reply per
 * daemon message and the daemon reads each before it sends the next, so the
 * pipe has room.
 */
const SYNC_WRITE_LIMIT = 4096;

/** The part of stdout the writer needs: its queue length. */
export interface QueuedWritable {
  readonly writableLength: number;
}

/**
 * Wraps `write` (the stream's own, bound) so that a small reply goes to `fd`
 * at once when the stream holds nothing; returns what `write` returns (false:
 * wait for `drain`). When the descriptor has no room (`EAGAIN`: the daemon
 * stopped reading) or took part of the reply, the rest goes through the
 * stream, which queues it and signals backpressure. Any other error (EPIPE)
 * is thrown, for the caller to name.
 */
export function nodeReplyWriter(
  output: QueuedWritable,
  fd: number,
  write: (line: string | Uint8Array) => boolean,
): (line: string) => boolean {
  return (line) => {
    if (output.writableLength !== 0 || line.length > SYNC_WRITE_LIMIT) return write(line);
    let written: number;
    try {
      written = writeSync(fd, line);
    } catch (error) {
      if ((error as { code?: unknown }).code === "EAGAIN") return write(line);
      throw error;
    }
    if (written === Buffer.byteLength(line)) return true;
    // Part of it (a socket with little room): the rest through the stream.
    return write(Buffer.from(line).subarray(written));
  };
}
