/**
 * Node's stdin for the session. The daemon's pipe (or a socket) is read with
 * `net.Socket`'s `onread`: each read lands in a buffer of its own, handed
 * straight to the transport, past `Readable`'s machinery (its push, `data`
 * event and read-more tick on every read: ~8 µs of a small action's CPU,
 * bench/README.md, "Third pass"). A file or a terminal is read through
 * `process.stdin` as before.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { fstatSync } from "node:fs";
import { Socket } from "node:net";

/** An event listener, typed as Node's emitters take them. */
// deno-lint-ignore no-explicit-any
type Listener = (...args: any[]) => void;

/** What the Node transport needs of its input: `data`, `end` and `error` events, and `destroy()`. */
export interface NodeInput {
  on(event: "data" | "end" | "error", listener: Listener): unknown;
  off(event: "data" | "end", listener: Listener): unknown;
  destroy(): void;
}

/** Bytes asked for per read: what Node's own streams ask for. */
const READ_SIZE = 64 * 1024;
/** A read up to this long is copied out, and the read buffer used again; a longer one keeps its buffer. */
const COPY_LIMIT = 16 * 1024;
const slice = Uint8Array.prototype.slice;

/**
 * The session's input on descriptor `fd` (0): a pipe or socket read with
 * `onread`, anything else `fallback()` (`process.stdin`, touched only then).
 */
export function nodeStdin(fallback: () => NodeInput, fd = 0): NodeInput {
  let pipe = false;
  try {
    const stat = fstatSync(fd);
    pipe = stat.isFIFO() || stat.isSocket();
  } catch {
    // Not a descriptor Node can inspect: `process.stdin` knows what to do with it.
  }
  if (!pipe) return fallback();
  let onData: (chunk: Uint8Array) => void = () => {};
  // The transport's chunks are never reused (the line splitter may keep a long line's chunks as they are): a small
  // read (a small action's line) is copied into memory of its own size, a big one (part of a big batch) keeps the
  // read buffer, and the next read gets a new one.
  let buffer = Buffer.allocUnsafeSlow(READ_SIZE);
  let socket: Socket;
  try {
    socket = pipeSocket(fd, () => buffer, (length, read) => {
      if (length <= COPY_LIMIT) onData(slice.call(read, 0, length));
      else {
        buffer = Buffer.allocUnsafeSlow(READ_SIZE);
        onData(read.subarray(0, length));
      }
    });
  } catch {
    // A descriptor libuv will not take as a pipe: `process.stdin` reads it the way it can.
    return fallback();
  }
  return {
    on(event, listener) {
      if (event === "data") onData = listener;
      else socket.on(event, listener);
    },
    off(event, listener) {
      if (event !== "data") socket.off(event, listener);
      else if (onData === listener) onData = () => {};
    },
    destroy: () => void socket.destroy(),
  };
}

/** A socket reading `fd` into `buffer()`, each read handed to `onRead`. */
function pipeSocket(
  fd: number,
  buffer: () => Uint8Array,
  onRead: (length: number, read: Uint8Array) => void,
): Socket {
  return new Socket({
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer,
      callback: (length: number, read: Uint8Array) => {
        onRead(length, read);
        return true;
      },
    },
  });
}
