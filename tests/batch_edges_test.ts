/**
 * BatchConsumer at its edges: options it refuses, a consumer closed while
 * onBatchError decides, checkpoints that fail between flushes, no age limit,
 * `await using`, and the buffer's guards against misuse.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Checkpointer, KinesisRecord } from "../mod.ts";
import { BatchBuffer } from "../src/batch/_batch_buffer.ts";
import { BatchConsumer } from "../src/batch/mod.ts";
import { collectLog } from "./support/batch/shard_session.ts";
import { type Event, fixture, keyed } from "./support/batch/fixture.ts";
import { signal } from "./support/session_daemon.ts";

const INIT = { shardId: "shardId-000000000001", sequenceNumber: null, subSequenceNumber: null };

/** A record as the session hands it to a processor. */
function record(sequenceNumber: string, text = "{}"): KinesisRecord {
  return {
    sequenceNumber,
    subSequenceNumber: 0,
    partitionKey: "p",
    approximateArrivalTimestamp: null,
    data: new TextEncoder().encode(text),
    text: () => text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** A checkpointer that records what it was asked and answers with `answer`. */
function checkpointer(answer: () => Promise<void>): Checkpointer & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    checkpoint(position?: unknown) {
      asked.push(JSON.stringify(position ?? null));
      return answer();
    },
  } as Checkpointer & { asked: string[] };
}

describe("BatchConsumer: options refused", () => {
  it("names a map or keyOf that is not a function, and a negative age", () => {
    const flush = () => {};
    const map = () => 1;
    assert.throws(() => new BatchConsumer({ map: "json" as never, flush }), /map is not a function/);
    assert.throws(() => new BatchConsumer({ map, flush, keyOf: "table" as never }), /keyOf is not a function/);
    assert.throws(() => new BatchConsumer({ map, flush, maxAgeMs: -1 }), /maxAgeMs must be >= 0, got -1/);
  });
});

describe("BatchConsumer: onBatchError's decision", () => {
  it("fails the batch when onBatchError returns anything but 'drop'", async () => {
    let asked = 0;
    const f = fixture({ onBatchError: () => void asked++ });
    try {
      f.sink.failWhen(() => new Error("bad request"));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      const end = await shard.shardEnded();
      assert.equal(end.ok, false);
      assert.match(String(!end.ok && end.result.error?.message), /Cannot flush 1 records .*bad request/);
      assert.equal(asked, 1);
      assert.equal(f.consumer.stats.batchesDropped, 0);
    } finally {
      await f.consumer.close();
    }
  });

  it("counts nothing when the consumer was closed while onBatchError decided to drop", async () => {
    const decision = signal<"drop">();
    const f = fixture({ onBatchError: () => decision.promise, maxRecords: 1 });
    try {
      f.sink.failWhen(() => new Error("bad request"));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      await f.sink.until(() => f.sink.calls.length === 1 && f.sink.inProgress === 0);
      const closed = f.consumer.close();
      decision.resolve("drop");
      await closed;
      assert.equal(f.consumer.stats.batchesDropped, 0);
      assert.equal(f.consumer.stats.recordsDropped, 0);
    } finally {
      await f.consumer.close();
    }
  });

  it("keeps a failure decided after close() from becoming the consumer's failure", async () => {
    const decision = signal<"drop">();
    const f = fixture({ onBatchError: () => decision.promise, maxRecords: 1 });
    try {
      f.sink.failWhen(() => new Error("bad request"));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      await f.sink.until(() => f.sink.calls.length === 1 && f.sink.inProgress === 0);
      const closed = f.consumer.close();
      decision.reject(new Error("poison batch"));
      await closed;
      assert.ok(!f.logs.entries.some((e) => e.level === "error"), "no 'Flush failed for good' after close");
      // The consumer says it is closed, not that the batch failed: the failure came after its life ended.
      await assert.rejects(
        f.consumer.processRecords({
          records: [],
          checkpointer: checkpointer(() => Promise.resolve()),
          millisBehindLatest: 0,
        }),
        /Cannot process records: the BatchConsumer is closed/,
      );
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: the end of its life, called directly", () => {
  it("does nothing at shutdownRequested once closed: no flush, no checkpoint", async () => {
    const logs = collectLog();
    const flushed: number[][] = [];
    const consumer = new BatchConsumer<number>({
      map: () => 1,
      flush: (items) => void flushed.push(items),
      log: logs.log,
    });
    consumer.initialize(INIT);
    const ask = checkpointer(() => Promise.resolve());
    await consumer.processRecords({ records: [record("1")], checkpointer: ask, millisBehindLatest: 0 });
    await consumer.close();
    await consumer.shutdownRequested({ checkpointer: ask });
    assert.deepEqual(flushed, []);
    assert.deepEqual(ask.asked, []);
  });

  it("closes through Symbol.asyncDispose, as `await using` does", async () => {
    const consumer = new BatchConsumer<number>({ map: () => 1, flush: () => {}, log: () => {} });
    consumer.initialize(INIT);
    await consumer[Symbol.asyncDispose]();
    await assert.rejects(
      consumer.processRecords({
        records: [],
        checkpointer: checkpointer(() => Promise.resolve()),
        millisBehindLatest: 0,
      }),
      /the BatchConsumer is closed/,
    );
  });
});

describe("BatchConsumer: checkpoints between flushes", () => {
  it("logs a failed background checkpoint as a warning and tries again once the position moves", async () => {
    const logs = collectLog();
    // Every record skipped: the safe position moves without any flush.
    const consumer = new BatchConsumer<Event>({
      map: () => undefined,
      flush: () => {},
      log: logs.log,
      statsIntervalMs: 0,
    });
    try {
      consumer.initialize(INIT);
      const refusing = checkpointer(() => Promise.reject(new Error("throttled")));
      await consumer.processRecords({ records: [record("1")], checkpointer: refusing, millisBehindLatest: 0 });
      const warning = await logs.until((e) => e.message === "Background checkpoint failed");
      assert.equal(warning.level, "warn");
      assert.equal(warning.fields.at, "1/0");
      assert.equal(consumer.stats.checkpoint, null);
      const accepting = checkpointer(() => Promise.resolve());
      await consumer.processRecords({ records: [record("2")], checkpointer: accepting, millisBehindLatest: 0 });
      assert.deepEqual(accepting.asked, [JSON.stringify({ sequenceNumber: "2", subSequenceNumber: 0 })]);
      assert.deepEqual(consumer.stats.checkpoint, { sequenceNumber: "2", subSequenceNumber: 0 });
    } finally {
      await consumer.close();
    }
  });
});

describe("BatchConsumer: no age limit", () => {
  it("takes maxAgeMs: Infinity as never flushing by age (no timer that fires at once)", async () => {
    const f = fixture({ maxAgeMs: Infinity, maxRecords: 10 });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a"]))).ok);
      // A second full action round trip: an age timer set to Infinity would have fired by now (it becomes 1 ms).
      assert.ok((await shard.processRecords(keyed(["a"], 3))).ok);
      assert.deepEqual(f.sink.calls, []);
      assert.equal(f.consumer.stats.bufferedRecords, 3);
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(f.sink.flushed.map((call) => call.items.map((event) => event.seq)), [["1", "2", "3"]]);
      assert.equal(shard.positions.at(-1), "3/0");
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchBuffer: guards against misuse", () => {
  const at = (n: number) => ({ sequenceNumber: String(n), subSequenceNumber: 0 });

  it("seals a batch once: sealing a sealed batch again queues it once", () => {
    const buffer = new BatchBuffer<number>({ maxRecords: 10, maxBytes: 1000 });
    const { batch } = buffer.add(undefined, 1, 1, at(1));
    buffer.seal(batch, "drain");
    buffer.seal(batch, "age");
    assert.equal(batch.sealedBy, "drain");
    assert.equal(buffer.takeNext(), batch);
    assert.equal(buffer.takeNext(), undefined);
  });

  it("refuses to finish or fail a batch that is not flushing", () => {
    const buffer = new BatchBuffer<number>({ maxRecords: 10, maxBytes: 1000 });
    const { batch } = buffer.add(undefined, 1, 1, at(1));
    assert.throws(() => buffer.finish(batch), /Cannot finish a batch that is open/);
    assert.throws(() => buffer.fail(batch), /Cannot fail a batch that is open/);
  });
});
