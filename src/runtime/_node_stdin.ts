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
/** Room reserved for one big line's reads (the session's default line cap, and a read more). */
const ARENA_MAX = 256 * 1024 * 1024 + 2 * READ_SIZE;
/** Whether this runtime grows an `ArrayBuffer` in place (resizable buffers: Node 20 and later). */
const RESIZABLE = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === "function";

/**
 * Where a big line's reads land: one resizable `ArrayBuffer` that grows in place, so that the reads lie side by side
 * and the line splitter joins them with a view instead of a copy (a 22 MB batch: 22 MB less memory touched, and less
 * external memory before `JSON.parse`, which started a second full collection of the live batch: bench/README.md,
 * "Fourth pass"). Its bytes are never written twice: once a read ends a line, the next big line gets a new arena, and
 * the old one goes with the splitter's last view of it.
 */
class ReadArena {
  #buffer: (ArrayBuffer & { resize(length: number): void }) | undefined;
  #used = 0;
  /** Whether reads are landing here (a field: it is tested on every read). */
  active = false;

  /** Starts with `read` (a read that landed elsewhere, copied here); `undefined` when no arena could be made. */
  begin(read: Uint8Array): Uint8Array | undefined {
    try {
      this.#buffer = new (ArrayBuffer as new (length: number, options: { maxByteLength: number }) => ArrayBuffer)(
        0,
        { maxByteLength: ARENA_MAX },
      ) as ArrayBuffer & { resize(length: number): void };
      this.#used = 0;
      this.active = true;
      const view = this.next();
      if (view === undefined) return undefined;
      view.set(read);
      return this.take(view, read.length);
    } catch {
      // No room for the reservation (a limit on address space): reads go on in buffers of their own.
      this.end();
      return undefined;
    }
  }

  /** A view of the next `READ_SIZE` bytes, where the next read lands; `undefined` (and ended) when it is full. */
  next(): Uint8Array | undefined {
    const buffer = this.#buffer!;
    const end = this.#used + READ_SIZE;
    try {
      if (end > buffer.byteLength) buffer.resize(end);
    } catch {
      // Past the reservation, or no memory to grow: the line goes on in buffers of their own (then joined by a copy).
      this.end();
      return undefined;
    }
    return new Uint8Array(buffer, this.#used, READ_SIZE);
  }

  /** The `length` bytes read into `view` (from `next()`): the transport's chunk. */
  take(view: Uint8Array, length: number): Uint8Array {
    this.#used += length;
    return view.subarray(0, length);
  }

  /** The arena's line ended: the next one starts a new arena. */
  end(): void {
    this.#buffer = undefined;
    this.#used = 0;
    this.active = false;
  }
}

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
  // The transport's chunks are never reused (the line splitter may keep a long line's chunks as they are): a read
  // that ends a line is copied into memory of its own size when small (a small action's line), else keeps the read
  // buffer, and the next read gets a new one; a read that leaves a line unfinished, and the reads after it until one
  // ends a line, land side by side in an arena.
  let buffer = Buffer.allocUnsafeSlow(READ_SIZE);
  // Where resizable buffers exist, a big read's successors land side by side in an arena (`ReadArena`).
  const arena = RESIZABLE ? new ReadArena() : undefined;
  let reading: Uint8Array = buffer;
  const newBuffer = (): Uint8Array => (buffer = Buffer.allocUnsafeSlow(READ_SIZE));
  let socket: Socket;
  try {
    socket = pipeSocket(fd, () => reading, (length, read) => {
      if (arena?.active) {
        // Every read of a big line lands in the arena, side by side, until one ends a line.
        const chunk = arena.take(read, length);
        reading = chunk[length - 1] === 10 ? (arena.end(), buffer) : arena.next() ?? newBuffer();
        return onData(chunk);
      }
      if (read[length - 1] !== 10 && arena !== undefined) {
        // A line goes on past this read: it goes on in an arena.
        const chunk = arena.begin(read.subarray(0, length));
        if (chunk !== undefined) {
          reading = arena.next() ?? newBuffer();
          return onData(chunk);
        }
      }
      if (length <= COPY_LIMIT) return onData(slice.call(read, 0, length));
      const chunk = read.subarray(0, length);
      reading = newBuffer();
      onData(chunk);
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
