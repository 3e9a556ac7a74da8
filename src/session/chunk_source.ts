/**
 * Delivers an input's chunks to a listener as they arrive. The session
 * reads this way instead of awaiting `reader.read()` per chunk:
 *
 * - a host adapter may build its stdin with {@linkcode readableWithSubscribe},
 *   and the session then gets chunks straight from the runtime's callback —
 *   on Node, a `ReadableStream` read costs ~11 µs per small action (a
 *   seventh of its round trip), one promise per chunk still ~7 µs;
 * - any byte stream (Deno's stdin) is read into one reused buffer — a
 *   default reader zero-fills a fresh 64 KiB per read, ~15% of Deno's CPU
 *   per small action;
 * - any other `ReadableStream` is read as before.
 *
 * @module
 */

/** Receives an input's chunks. */
export interface ChunkListener {
  /** The next chunk, valid only during the call: the source may reuse its memory. */
  chunk(bytes: Uint8Array): void;
  /** The input ended, or failed with `error`. Called once; nothing follows. */
  end(error?: unknown): void;
  /**
   * Whether the listener has finished reacting to the last chunk (for the
   * session: it wrote its reply). A stream source waits a few microtask
   * turns for it before starting the next read: a read started before the
   * reply went out cost Deno ~20 µs per small action (its stdin read runs
   * on a worker thread) and Bun ~10 µs. Never waits longer, so that the
   * end of the input is still seen while user code is busy.
   */
  ready?(): boolean;
}

/** Controls a subscription. */
export interface ChunkSubscription {
  /** Stops delivery for good and releases the input. */
  stop(): void;
  /** Holds delivery (backpressure), until {@linkcode ChunkSubscription.resume}. */
  pause(): void;
  /** Resumes delivery after {@linkcode ChunkSubscription.pause}. */
  resume(): void;
}

/** Starts delivering an input's chunks to `listener`. */
export type ChunkSubscribe = (listener: ChunkListener) => ChunkSubscription;

const subscribers = new WeakMap<ReadableStream<Uint8Array>, ChunkSubscribe>();

/** Unread bytes the stream view holds before it pauses its source. */
const VIEW_BUFFER_BYTES = 1024 * 1024;
const READ_SIZE = 64 * 1024;
/** Microtask turns a stream source waits for {@linkcode ChunkListener.ready}. */
const READY_TURNS = 16;

/**
 * A `ReadableStream` view of `subscribe` whose chunks can also be taken
 * straight from it (see {@linkcode subscribeChunks}). The view subscribes
 * on its first read, so an input taken straight is never read twice.
 *
 * @example Read a callback source as a stream
 * ```ts
 * import { readableWithSubscribe } from "./chunk_source.ts";
 * import assert from "node:assert/strict";
 *
 * const stream = readableWithSubscribe((listener) => {
 *   listener.chunk(new TextEncoder().encode("hello"));
 *   listener.end();
 *   return { stop() {}, pause() {}, resume() {} };
 * });
 * const chunks = await Array.fromAsync(stream);
 * assert.deepEqual(chunks.map((chunk) => new TextDecoder().decode(chunk)), ["hello"]);
 * ```
 */
export function readableWithSubscribe(subscribe: ChunkSubscribe): ReadableStream<Uint8Array> {
  let subscription: ChunkSubscription | undefined;
  let paused = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (subscription !== undefined) {
        if (paused) subscription.resume();
        paused = false;
        return;
      }
      subscription = subscribe({
        chunk(bytes) {
          controller.enqueue(bytes.slice());
          if (!paused && (controller.desiredSize ?? 0) < -VIEW_BUFFER_BYTES) {
            paused = true;
            subscription?.pause();
          }
        },
        end: (error) => error === undefined ? controller.close() : controller.error(error),
      });
    },
    cancel: () => subscription?.stop(),
    // High-water mark 0: nothing is pulled (subscribed) before the first read.
  }, new ByteLengthQueuingStrategy({ highWaterMark: 0 }));
  subscribers.set(stream, subscribe);
  return stream;
}

/**
 * Locks `input` and delivers its chunks to `listener` until it ends, fails
 * or the returned function is called. The listener must copy what it keeps
 * of a chunk before returning.
 *
 * @example Read a default stream and a byte stream alike
 * ```ts
 * import { subscribeChunks } from "./chunk_source.ts";
 * import assert from "node:assert/strict";
 *
 * for (const type of [undefined, "bytes"] as const) {
 *   const input = new ReadableStream<Uint8Array>({
 *     type,
 *     start(controller) {
 *       controller.enqueue(new TextEncoder().encode("hello"));
 *       controller.close();
 *     },
 *   } as UnderlyingDefaultSource<Uint8Array>);
 *   const text = await new Promise<string>((resolve, reject) => {
 *     let text = "";
 *     subscribeChunks(input, {
 *       chunk: (bytes) => void (text += new TextDecoder().decode(bytes)),
 *       end: (error) => error === undefined ? resolve(text) : reject(error),
 *     });
 *   });
 *   assert.equal(text, "hello");
 * }
 * ```
 */
export function subscribeChunks(input: ReadableStream<Uint8Array>, listener: ChunkListener): () => void {
  const subscribe = subscribers.get(input);
  if (subscribe !== undefined) {
    // Locked like any read input: nothing else may take its chunks.
    input.getReader();
    const subscription = subscribe(listener);
    return () => subscription.stop();
  }
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  let read: () => Promise<ReadableStreamReadResult<Uint8Array>>;
  try {
    const byob = input.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(READ_SIZE);
    read = async () => {
      const result = await byob.read(new Uint8Array(buffer, 0, READ_SIZE));
      // The read transferred the buffer into the chunk: take it back for the next read.
      if (result.value !== undefined) buffer = result.value.buffer as ArrayBuffer;
      return result;
    };
    reader = byob;
  } catch {
    // Not a byte stream (Bun's stdin, most user streams).
    const plain = input.getReader();
    read = () => plain.read();
    reader = plain;
  }
  let stopped = false;
  void (async () => {
    try {
      for (;;) {
        const next = await read();
        if (stopped) return;
        if (next.done) return listener.end();
        listener.chunk(next.value);
        for (let turn = 0; turn < READY_TURNS && listener.ready?.() === false; turn++) await undefined;
      }
    } catch (error) {
      if (!stopped) listener.end(error);
    }
  })();
  return () => {
    stopped = true;
    reader.cancel().catch(() => {});
  };
}
