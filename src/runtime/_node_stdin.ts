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
  /** Lets go of memory kept for big lines (`nodeStdin`'s read arena), once they are over for now. */
  release?(): void;
}

/** Bytes asked for per read: what Node's own streams ask for. */
const READ_SIZE = 64 * 1024;
/** A read up to this long is copied out, and the read buffer used again; a longer one keeps its buffer. */
const COPY_LIMIT = 16 * 1024;
const slice = Uint8Array.prototype.slice;
/**
 * The read arena's size. Kinesis's largest batch (10 MB of data, ~15 MB of JSON) and W5's (22 MB) fit in it; a longer
 * line is joined by a copy, as before the arena. No bigger: all of it counts as external memory to V8 at once, and with
 * a big line's string and decoded payloads 32 MiB passed the 64 MiB step that starts a full marking (W5's batch: 10%
 * more CPU per MiB than 24 MiB; bench/README.md, "Fourth pass").
 */
const ARENA_SIZE = 24 * 1024 * 1024;

/**
 * Where a big line's reads land: one buffer of `ARENA_SIZE`, so that the reads lie side by side and the line
 * splitter joins them with a view instead of a copy (a 22 MB batch: 22 MB less memory touched, and less external
 * memory before `JSON.parse`, which started a second full collection of the live batch: bench/README.md, "Fourth
 * pass"). Once a read ends a line, that line and every line before it are decoded and nothing holds their bytes: the
 * next big line's reads reuse the arena from its start (back-to-back big batches touch no new memory). A line that
 * outgrows it goes on in a new one (then joined by a copy). It is let go after big lines (`release`), as the
 * splitter's buffer is. (A resizable `ArrayBuffer` grown in place cost more: its views make the splitter's and the
 * decoder's calls polymorphic.)
 */
class ReadArena {
  #buffer: Uint8Array | undefined;
  #used = 0;
  #releaseAtRewind = false;
  /** Whether reads are landing here (a field: it is tested on every read). */
  active = false;

  /** Starts a line's run of reads with `read` (a read that landed elsewhere, copied here); `undefined` when no arena. */
  begin(read: Uint8Array): Uint8Array | undefined {
    try {
      // Not zero-filled: pages are touched only by the reads that land on them.
      this.#buffer ??= Buffer.allocUnsafeSlow(ARENA_SIZE);
    } catch {
      // No memory for it: reads go on in buffers of their own.
      return undefined;
    }
    this.#used = 0;
    this.active = true;
    const view = this.next()!;
    view.set(read);
    return this.take(view, read.length);
  }

  /** A view of the next `READ_SIZE` bytes, where the next read lands; `undefined` when the arena is full. */
  next(): Uint8Array | undefined {
    const end = this.#used + READ_SIZE;
    if (end <= ARENA_SIZE) return this.#buffer!.subarray(this.#used, end);
    // The splitter keeps the views it has of this arena, which is never written again; the line goes on elsewhere.
    this.#buffer = undefined;
    this.active = false;
    return undefined;
  }

  /** The `length` bytes read into `view` (from `next()`): the transport's chunk. */
  take(view: Uint8Array, length: number): Uint8Array {
    this.#used += length;
    return view.subarray(0, length);
  }

  /** The run's last read ended a line, and was delivered: the next run starts at the arena's start. */
  rewind(): void {
    this.active = false;
    this.#used = 0;
    if (this.#releaseAtRewind) this.release();
  }

  /** Lets the arena go (big lines are over for now); a run under way keeps it until its line ends. */
  release(): void {
    this.#releaseAtRewind = this.active;
    if (!this.active) this.#buffer = undefined;
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
  // A chunk is never written again while the line splitter may keep it (it keeps a long line's chunks as they are): a
  // read that ends a line is copied into memory of its own size when small (a small action's line), else keeps the
  // read buffer, and the next read gets a new one; a read that leaves a line unfinished, and the reads after it until
  // one ends a line, land side by side in an arena, reused once a read ends a line.
  let buffer = Buffer.allocUnsafeSlow(READ_SIZE);
  const arena = new ReadArena();
  let reading: Uint8Array = buffer;
  const newBuffer = (): Uint8Array => (buffer = Buffer.allocUnsafeSlow(READ_SIZE));
  let socket: Socket;
  try {
    socket = pipeSocket(fd, () => reading, (length, read) => {
      if (arena.active) {
        // Every read of a big line lands in the arena, side by side, until one ends a line.
        const chunk = arena.take(read, length);
        if (chunk[length - 1] !== 10) {
          reading = arena.next() ?? newBuffer();
          return onData(chunk);
        }
        reading = buffer;
        onData(chunk);
        // Every line of the run is decoded now: the arena's memory is free for the next run.
        return arena.rewind();
      }
      if (read[length - 1] !== 10) {
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
    release: () => arena.release(),
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
