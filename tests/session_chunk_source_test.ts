import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type ChunkListener,
  type ChunkSubscription,
  readableWithSubscribe,
  subscribeChunks,
} from "../src/session/chunk_source.ts";
import { streamOf } from "./support/line_input.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Collected {
  /** The chunks' text, from copies made during each call, as the contract asks. */
  text: string;
  /** The chunks as delivered (not copied). */
  views: Uint8Array[];
  error: unknown;
}

/** Subscribes to `input` and collects what the listener sees. */
function collect(input: ReadableStream<Uint8Array>, extra: Partial<ChunkListener> = {}): Promise<Collected> {
  const copies: Uint8Array[] = [];
  const views: Uint8Array[] = [];
  return new Promise((resolve) => {
    subscribeChunks(input, {
      ...extra,
      chunk(bytes) {
        copies.push(bytes.slice());
        views.push(bytes);
        extra.chunk?.(bytes);
      },
      end: (error) => resolve({ text: copies.map((c) => decoder.decode(c)).join(""), views, error }),
    });
  });
}

/** A byte stream that serves `parts` one per pull, like a pipe. */
function byteStream(parts: string[], log?: string[]): ReadableStream<Uint8Array> {
  const queue = [...parts];
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      log?.push("pull");
      const part = queue.shift();
      const request = controller.byobRequest;
      if (part === undefined) {
        controller.close();
        // A pending bring-your-own-buffer read ends only once answered with no bytes.
        return request?.respond(0);
      }
      if (request?.view) {
        const view = new Uint8Array(request.view.buffer, request.view.byteOffset, request.view.byteLength);
        const written = encoder.encodeInto(part, view).written;
        request.respond(written);
      } else {
        controller.enqueue(encoder.encode(part));
      }
    },
  });
}

describe("subscribeChunks", () => {
  it("delivers a default stream's chunks, then its end", async () => {
    const input = streamOf(["ab", "c", "déf"].map((part) => encoder.encode(part)));
    const { text, views, error } = await collect(input);
    assert.equal(text, "abcdéf");
    assert.equal(views.length, 3);
    assert.equal(error, undefined);
    assert.ok(input.locked, "the input is locked: nothing else may read it");
  });

  it("reads a byte stream into one reused buffer, so a listener must copy what it keeps", async () => {
    const { text, views, error } = await collect(byteStream(["first", "second", "third"]));
    assert.equal(error, undefined);
    assert.equal(text, "firstsecondthird");
    // Each next read took the memory back (transferred it), so every kept view is now empty.
    assert.deepEqual(views.map((view) => view.byteLength), [0, 0, 0]);
  });

  it("ends with the stream's error", async () => {
    const failure = new Error("pipe broke");
    const parts = [encoder.encode("partial")];
    const input = new ReadableStream<Uint8Array>({
      pull(controller) {
        const part = parts.shift();
        if (part === undefined) controller.error(failure);
        else controller.enqueue(part);
      },
    });
    const { text, error } = await collect(input);
    assert.equal(text, "partial");
    assert.equal(error, failure);
  });

  it("stops: cancels the stream and delivers nothing more", async () => {
    let cancelled = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const input = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => void (cancelled = true),
    });
    const seen: string[] = [];
    const stop = subscribeChunks(input, {
      chunk: (bytes) => void seen.push(decoder.decode(bytes)),
      end: () => assert.fail("a stopped subscription never ends"),
    });
    controller.enqueue(encoder.encode("one"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    stop();
    assert.throws(() => controller.enqueue(encoder.encode("two")));
    assert.ok(cancelled);
    assert.deepEqual(seen, ["one"]);
  });

  it("starts the next read only once the listener is ready, if it becomes ready within a few microtasks", async () => {
    const log: string[] = [];
    let replied = true;
    await collect(byteStream(["a", "b"], log), {
      chunk() {
        replied = false;
        // A reply written three microtasks later, like the session's status after user code.
        void Promise.resolve().then(() => undefined).then(() => undefined).then(() => {
          log.push("reply");
          replied = true;
        });
      },
      ready: () => replied,
    });
    assert.deepEqual(log, ["pull", "reply", "pull", "reply", "pull"]);
  });

  it("reads on when the listener stays busy, so the end of input is still seen", async () => {
    const { text, error } = await collect(byteStream(["a", "b", "c"]), { ready: () => false });
    assert.equal(text, "abc");
    assert.equal(error, undefined);
  });
});

/** A callback source: the test pushes chunks and watches subscription calls. */
function callbackSource() {
  const calls: string[] = [];
  let listener: ChunkListener | undefined;
  let subscribed!: () => void;
  // A stream view subscribes on its first pull, which comes after the stream's start (a microtask).
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const subscription: ChunkSubscription = {
    stop: () => void calls.push("stop"),
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
  };
  const stream = readableWithSubscribe((l) => {
    calls.push("subscribe");
    listener = l;
    subscribed();
    return subscription;
  });
  const push = (text: string | Uint8Array) => listener!.chunk(typeof text === "string" ? encoder.encode(text) : text);
  return { stream, calls, push, ready, end: (error?: unknown) => listener!.end(error) };
}

describe("readableWithSubscribe", () => {
  it("hands the source's chunks straight to subscribeChunks, as they come", () => {
    const source = callbackSource();
    const seen: string[] = [];
    let ended = false;
    const stop = subscribeChunks(source.stream, {
      chunk: (bytes) => void seen.push(decoder.decode(bytes)),
      end: () => void (ended = true),
    });
    source.push("x");
    source.push("y");
    // Synchronously: no stream queue, no promise in between.
    assert.deepEqual(seen, ["x", "y"]);
    source.end();
    assert.ok(ended);
    assert.ok(source.stream.locked, "taken straight, the stream is still locked");
    stop();
    assert.deepEqual(source.calls, ["subscribe", "stop"]);
  });

  it("subscribes only on the first read of its stream view", async () => {
    const source = callbackSource();
    await Promise.resolve();
    assert.deepEqual(source.calls, [], "constructing the view reads nothing");
    const reader = source.stream.getReader();
    const first = reader.read();
    await source.ready;
    assert.deepEqual(source.calls, ["subscribe"]);
    const kept = encoder.encode("abc");
    source.push(kept);
    kept.fill(0); // The view copies: the source may reuse its memory.
    assert.equal(decoder.decode((await first).value), "abc");
    source.end();
    assert.equal((await reader.read()).done, true);
  });

  it("pauses the source while more than 1 MiB waits unread, and resumes on the next read", async () => {
    const source = callbackSource();
    const reader = source.stream.getReader();
    const first = reader.read();
    await source.ready;
    const big = new Uint8Array(512 * 1024);
    for (let i = 0; i < 4; i++) source.push(big);
    assert.deepEqual(source.calls, ["subscribe", "pause"]);
    await first;
    for (let i = 0; i < 3; i++) await reader.read();
    const next = reader.read();
    assert.deepEqual(source.calls, ["subscribe", "pause", "resume"]);
    source.push("tail");
    assert.equal(decoder.decode((await next).value), "tail");
  });

  it("fails its stream view with the source's error, and stops the source when cancelled", async () => {
    const failing = callbackSource();
    const reader = failing.stream.getReader();
    const read = reader.read();
    await failing.ready;
    failing.end(new Error("stdin closed badly"));
    await assert.rejects(read, /stdin closed badly/);

    const cancelled = callbackSource();
    const other = cancelled.stream.getReader();
    void other.read();
    await cancelled.ready;
    await other.cancel();
    assert.deepEqual(cancelled.calls, ["subscribe", "stop"]);
  });
});
