/**
 * The runtime adapters' transports (and the portable one) where they differ:
 * failing writes, failing and truncated input, large and small replies in
 * order. The session's conformance suites run over each of them too (see
 * `support/memory_transports.ts`); real stdio is covered by the child-process
 * tests.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KclProcess, type KclProcessResult, type RecordProcessor, type SessionTransport } from "../mod.ts";
import { denoTransport } from "../src/runtime/_deno_transport.ts";
import { nodeTransport } from "../src/runtime/_node_transport.ts";
import { MemoryReturn } from "../src/runtime/_memory_return.ts";
import { PassThrough, Writable } from "node:stream";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryTransport, type ReplySink, TRANSPORT_KINDS } from "./support/memory_transports.ts";
import { initializeMessage, processRecordsMessage, signal, wireRecord } from "./support/session_daemon.ts";

const status = (action: string) => `{"action":"status","responseFor":"${action}"}\n`;
const encoder = new TextEncoder();

interface Harness {
  readonly written: string[];
  send(message: Record<string, unknown>): Promise<void>;
  end(): Promise<void>;
  fail(error: Error): void;
  nextReply(): Promise<string>;
  readonly result: Promise<KclProcessResult>;
}

/** A session over `transport(input, sink)`; checkpoint requests are answered with success after they were written. */
function harness(
  processor: RecordProcessor,
  transport: (input: ReadableStream<Uint8Array>, sink: ReplySink) => SessionTransport,
  sink: ReplySink = () => {},
): Harness {
  const written: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const input = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const deliver = (line: string) => controller.enqueue(encoder.encode(line));
  const result = new KclProcess(processor, {
    transport: transport(input, (line) => {
      const outcome = sink(line);
      written.push(line);
      for (const wake of waiting.splice(0)) wake(line);
      const request = JSON.parse(line) as { action: string; sequenceNumber: string | null };
      if (request.action === "checkpoint" && outcome === undefined) {
        queueMicrotask(() =>
          deliver(`{"action":"checkpoint","sequenceNumber":${JSON.stringify(request.sequenceNumber)},"error":null}\n`)
        );
      }
      return outcome;
    }),
  }).run();
  return {
    written,
    send: (message) => Promise.resolve(deliver(JSON.stringify(message) + "\n")),
    end: () => Promise.resolve(controller.close()),
    fail: (error) => controller.error(error),
    nextReply: () => new Promise((resolve) => waiting.push(resolve)),
    result,
  };
}

for (const kind of TRANSPORT_KINDS) {
  const over = (input: ReadableStream<Uint8Array>, sink: ReplySink) => memoryTransport(kind, input, sink);

  describe(`the ${kind} transport`, () => {
    it("reads the daemon's lines and writes every reply, in order", async () => {
      const seen: string[] = [];
      const session = harness({
        async processRecords({ records, checkpointer }) {
          for (const record of records) seen.push(record.text());
          await checkpointer.checkpoint(records.at(-1)!);
        },
      }, over);
      let reply = session.nextReply();
      await session.send(initializeMessage());
      assert.equal(await reply, status("initialize"));
      for (const sequenceNumber of ["1", "2"]) {
        reply = session.nextReply();
        await session.send(processRecordsMessage([wireRecord(sequenceNumber)]));
        while ((await reply) !== status("processRecords")) reply = session.nextReply();
      }
      reply = session.nextReply();
      await session.send({ action: "leaseLost" });
      assert.equal(await reply, status("leaseLost"));
      await session.end();
      const result = await session.result;
      assert.equal(result.exitCode, 0);
      assert.deepEqual(seen, ["record 1", "record 2"]);
      assert.deepEqual(session.written, [
        status("initialize"),
        '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}\n',
        status("processRecords"),
        '{"action":"checkpoint","sequenceNumber":"2","subSequenceNumber":0}\n',
        status("processRecords"),
        status("leaseLost"),
      ]);
    });

    const failures: [string, ReplySink][] = [["throws", () => {
      throw new Error("EPIPE");
    }]];
    // Deno's small replies are written synchronously: a failed one throws.
    if (kind !== "deno") failures.push(["rejects", () => Promise.reject(new Error("EPIPE"))]);
    for (const [how, failingWrite] of failures) {
      it(`ends with exit code 1 when a write ${how}`, async () => {
        const session = harness({ processRecords() {} }, over, failingWrite);
        await session.send(initializeMessage());
        const result = await session.result;
        assert.equal(result.exitCode, 1);
        assert.match(result.error?.message ?? "", /^Cannot write a reply to the daemon: EPIPE/);
      });

      it(`rejects a checkpoint whose write ${how}, and ends with exit code 1`, async () => {
        const checkpointError = signal<unknown>();
        let writes = 0;
        const session = harness(
          {
            async processRecords({ checkpointer }) {
              await checkpointer.checkpoint().catch((error) => {
                checkpointError.resolve(error);
                throw error;
              });
            },
          },
          over,
          (line) => ++writes > 1 ? failingWrite(line) : undefined,
        );
        const reply = session.nextReply();
        await session.send(initializeMessage());
        await reply;
        await session.send(processRecordsMessage([wireRecord("1")]));
        const result = await session.result;
        assert.equal(result.exitCode, 1);
        assert.match(result.error?.message ?? "", /EPIPE/);
        // Rejected with the write's error, or (a Node stream reports it later) as the session failed.
        assert.match(String(await checkpointError.promise), /EPIPE|the session failed/);
      });
    }

    it("ends with exit code 1 and the input's error when the input fails", async () => {
      const session = harness({ processRecords() {} }, over);
      session.fail(new Error("stdin read failed"));
      const result = await session.result;
      assert.equal(result.exitCode, 1);
      assert.equal(result.error?.message, "stdin read failed");
    });

    it("ends with exit code 1 when the input ends mid-action", async () => {
      const session = harness({ processRecords: () => new Promise(() => {}) }, over);
      const reply = session.nextReply();
      await session.send(initializeMessage());
      await reply;
      await session.send(processRecordsMessage([wireRecord("1")]));
      await session.end();
      const result = await session.result;
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /closed the input while it was in flight/);
    });

    it("delivers a last line that has no line break", async () => {
      const session = harness({ processRecords() {} }, over);
      const reply = session.nextReply();
      await session.send(initializeMessage());
      await reply;
      const last = session.nextReply();
      await session.send({ action: "leaseLost" }); // with "\n"
      assert.equal(await last, status("leaseLost"));
      await session.end();
      assert.equal((await session.result).exitCode, 0);
    });
  });
}

describe("the Deno transport's writes", () => {
  it("keeps replies in order when a large asynchronous write is followed by small synchronous ones", async () => {
    const written: string[] = [];
    const bigWrite = signal();
    const transport = denoTransport(new ReadableStream(), {
      writeSync(bytes) {
        written.push(new TextDecoder().decode(bytes));
        return bytes.length;
      },
      async write(bytes) {
        await bigWrite.promise;
        // A partial write: the transport writes the rest.
        const half = Math.ceil(bytes.length / 2);
        written.push(new TextDecoder().decode(bytes.subarray(0, half)));
        return half;
      },
    });
    const big = "x".repeat(100_000) + "\n";
    const pending = [transport.writeLine(big), transport.writeLine("small 1\n"), transport.writeLine("small 2\n")];
    assert.deepEqual(written, [], "nothing may overtake the large write");
    bigWrite.resolve();
    await Promise.all(pending);
    await transport.close();
    assert.equal(written.join(""), big + "small 1\nsmall 2\n");
  });
});

describe("the Node transport's writes", () => {
  it("waits for drain when the stream signals backpressure", async () => {
    const callbacks: (() => void)[] = [];
    const output = new Writable({
      highWaterMark: 4,
      decodeStrings: false,
      write: (_chunk: string, _encoding, callback) => void callbacks.push(callback),
    });
    const transport = nodeTransport(new PassThrough(), output);
    const first = transport.writeLine("0123456789\n");
    assert.ok(first instanceof Promise, "over the high-water mark: the caller must wait");
    let drained = false;
    void first.then(() => (drained = true));
    await Promise.resolve();
    assert.equal(drained, false, "resolved before the stream took the line");
    callbacks.shift()!();
    await first;
  });

  it("close waits until the stream has handed on every line written", async () => {
    const chunks: string[] = [];
    const callbacks: (() => void)[] = [];
    let arrived = () => {};
    const output = new Writable({
      highWaterMark: 1024,
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        chunks.push(chunk);
        callbacks.push(callback);
        arrived();
      },
    });
    const nextWrite = () => new Promise<void>((resolve) => (arrived = resolve));
    const transport = nodeTransport(new PassThrough(), output);
    assert.equal(transport.writeLine("reply 1\n"), undefined, "under the high-water mark: written at once");
    assert.equal(transport.writeLine("reply 2\n"), undefined);
    let closed = false;
    const closing = transport.close().then(() => (closed = true));
    // The stream holds both replies: each is handed on (the OS took it) when its callback runs.
    assert.deepEqual(chunks, ["reply 1\n"]);
    let next = nextWrite();
    callbacks.shift()!();
    await next;
    assert.deepEqual(chunks, ["reply 1\n", "reply 2\n"]);
    assert.equal(closed, false, "closed while a reply was still in the stream");
    next = nextWrite();
    callbacks.shift()!();
    // The definite event: the stream reached what close() queued behind the replies; a close that did not wait is done.
    await next;
    assert.equal(closed, false, "closed before the stream flushed");
    callbacks.shift()!();
    await closing;
    assert.equal(closed, true);
    assert.equal(chunks.slice(0, 2).join(""), "reply 1\nreply 2\n");
  });

  it("ends the input with the error when stdout fails (EPIPE), and refuses later writes", async () => {
    const output = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const transport = nodeTransport(new PassThrough(), output);
    const ended = new Promise<unknown>((resolve) => transport.read({ line() {}, end: resolve }));
    output.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    assert.match(String(await ended), /Cannot write a reply to the daemon: write EPIPE/);
    assert.throws(() => transport.writeLine("late\n"), /EPIPE/);
  });

  it("a reply written straight to stdout's descriptor that fails is thrown (a descriptor not open for writing here), and later writes are refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "kcl-node-transport-"));
    // Open for reading only: writing to it fails (EBADF) as a write to a closed pipe does (EPIPE).
    writeFileSync(join(dir, "stdout"), "");
    const fd = openSync(join(dir, "stdout"), "r");
    const streamed: string[] = [];
    const output = new Writable({
      write(chunk, _encoding, callback) {
        streamed.push(String(chunk));
        callback();
      },
    });
    const transport = nodeTransport(new PassThrough(), output, { replyFd: fd });
    assert.throws(
      () => transport.writeLine("reply\n"),
      (error: unknown) => (error as { code?: string }).code === "EBADF",
    );
    assert.throws(
      () => transport.writeLine("late\n"),
      (error: unknown) => (error as { code?: string }).code === "EBADF",
    );
    assert.deepEqual(streamed, [], "nothing went through the stream instead");
    closeSync(fd);
    rmSync(dir, { recursive: true });
  });
});

describe("giving big batches' memory back", () => {
  const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

  it("releases after the first small action that follows big ones, not between back-to-back big ones", async () => {
    let releases = 0;
    const memory = new MemoryReturn(() => void releases++);
    const big = 5 * 1024 * 1024;
    for (const length of [big, big, big]) {
      memory.line(length);
      memory.answered();
      await turn();
    }
    assert.equal(releases, 0, "big batches reuse the memory");
    memory.line(200);
    memory.answered();
    await turn();
    assert.equal(releases, 1);
    memory.line(200);
    memory.answered();
    await turn();
    assert.equal(releases, 1, "once per run of big batches");
  });

  for (const kind of TRANSPORT_KINDS.filter((kind) => kind !== "streams")) {
    it(`collects once the session answered the first small action after a big one (${kind} transport)`, async () => {
      let collections = 0;
      const session = harness(
        { processRecords() {} },
        (input, sink) => memoryTransport(kind, input, sink, () => void collections++),
      );
      const bigRecords = Array.from({ length: 4 }, (_, i) => wireRecord(String(i + 1), "x".repeat(1024 * 1024)));
      for (const message of [initializeMessage(), processRecordsMessage(bigRecords)]) {
        const reply = session.nextReply();
        await session.send(message);
        await reply;
      }
      await turn();
      assert.equal(collections, 0, "not after the big batch itself: the next may be big too");
      const reply = session.nextReply();
      await session.send(processRecordsMessage([wireRecord("5")]));
      assert.equal(await reply, status("processRecords"));
      await turn(); // the collection is a timer set as the status was written: it runs before this one
      assert.equal(collections, 1);
      await session.end();
      assert.equal((await session.result).exitCode, 0);
    });
  }
});
