import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchConsumer } from "../src/batch/mod.ts";
import { type Event, fixture, keyed, subRecord } from "./support/batch/fixture.ts";

const keysOf = (items: readonly Event[]) => items.map((event) => `${event.key}${event.seq}`);

/**
 * Waits, turn after turn of the event loop, until `condition()` holds (for state no event announces); fails
 * after 10,000 turns (in-process work that needs a few turns), so that a bug fails the test instead of hanging it.
 */
async function eventually(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn === 10_000) assert.fail(`still not true after ${turn} event-loop turns: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("BatchConsumer: flush triggers", () => {
  it("flushes full batches by count and checkpoints only what was flushed", async () => {
    const f = fixture({ maxRecords: 3 });
    try {
      const shard = await f.start();
      const first = await shard.processRecords(keyed(["a", "a", "a", "a", "a", "a", "a"]));
      assert.ok(first.ok);
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.deepEqual(f.sink.flushed.map((call) => keysOf(call.items)), [["a1", "a2", "a3"], ["a4", "a5", "a6"]]);
      assert.ok((await shard.processRecords([])).ok);
      // However the checkpoints fell between the two actions, the last one is the end of the second batch.
      assert.equal(shard.positions.at(-1), "6/0");
      assert.deepEqual(shard.violations, []);
      await shard.leaseLost();
      assert.equal((await shard.end()).exitCode, 0);
    } finally {
      await f.consumer.close();
    }
  });

  it("flushes by bytes of the original record data", async () => {
    // Each payload is 29 bytes of JSON: 60 bytes fit two, a third starts a new batch.
    const f = fixture({ maxBytes: 60, maxRecords: 1000 });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a", "a", "a", "a"]))).ok);
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.deepEqual(f.sink.flushed.map((call) => keysOf(call.items)), [["a1", "a2"], ["a3", "a4"]]);
      const bytes = (items: Event[]) => items.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
      assert.deepEqual(f.sink.flushed.map((call) => bytes(call.items)), [58, 58]);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("flushes by age on a timer between actions, and the checkpoint is deferred to the next action", async () => {
    const f = fixture({ maxAgeMs: 20 });
    try {
      const shard = await f.start();
      const first = await shard.processRecords(keyed(["a", "b", "a"]));
      assert.ok(first.ok);
      assert.deepEqual(first.ok && first.outcome.checkpoints, [], "nothing is flushed yet");
      // No action is in flight: only the age timers can flush.
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.deepEqual(f.sink.flushed.map((call) => keysOf(call.items)).sort(), [["a1", "a3"], ["b2"]]);
      const second = await shard.processRecords(keyed(["c"], 4));
      assert.ok(second.ok);
      // The request made between actions comes first; the latest safe position follows in the same action.
      assert.match(
        second.outcome.lines[0]!,
        /^\{"action":"checkpoint","sequenceNumber":"[13]","subSequenceNumber":0\}$/,
      );
      assert.equal(shard.positions.at(-1), "3/0");
      assert.ok(shard.checkpoints.every((c) => c.action === "processRecords"));
      assert.deepEqual(shard.violations, []);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: checkpoint positions", () => {
  it("never passes the oldest unflushed batch across interleaved keys", async () => {
    const f = fixture({ maxRecords: 2, maxConcurrentFlushes: 2 });
    try {
      f.sink.close();
      const shard = await f.start();
      // a: [1,3] sealed, b: [2,4] sealed, a: [5] open.
      assert.ok((await shard.processRecords(keyed(["a", "b", "a", "b", "a"]))).ok);
      await f.sink.until(() => f.sink.held === 2);
      f.sink.release((call) => call.context.key === "b");
      await f.sink.until(() => f.sink.flushed.length === 1);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.checkpoints, [], "b is flushed, but a1 is not: nothing below a1 to commit");
      f.sink.release((call) => call.context.key === "a");
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.positions, ["4/0"], "a5 is still open");
      f.sink.open();
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(shard.positions, ["4/0", "5/0"]);
      assert.deepEqual(shard.violations, []);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("checkpoints KPL sub-records at (sequenceNumber, subSequenceNumber)", async () => {
    const f = fixture({ maxRecords: 1, maxConcurrentFlushes: 2 });
    try {
      f.sink.close();
      const shard = await f.start();
      const records = [subRecord("a", "9", 0), subRecord("a", "9", 1), subRecord("b", "9", 2), subRecord("a", "10", 0)];
      assert.ok((await shard.processRecords(records)).ok);
      // In flight: a 9/0 and b 9/2 (a 9/1 waits for a 9/0).
      await f.sink.until(() => f.sink.held === 2);
      f.sink.release((call) => call.context.key === "a");
      await f.sink.until(() => f.sink.flushed.length === 1 && f.sink.held === 2);
      f.sink.release((call) => call.context.key === "a");
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.positions, ["9/0", "9/1"], "b at 9/2 is still in flight");
      // One flush at a time from here: which of b 9/2 and a 10/0 ends first would otherwise decide the positions.
      f.sink.release((call) => call.context.key === "b");
      await f.sink.until(() => f.sink.flushed.length === 3);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.positions, ["9/0", "9/1", "9/2"]);
      f.sink.open();
      await f.sink.until(() => f.sink.flushed.length === 4);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.positions, ["9/0", "9/1", "9/2", "10/0"]);
      assert.ok((await shard.shutdownRequested()).ok);
      assert.equal(shard.positions.at(-1), "10/0");
      assert.deepEqual(shard.committed, { sequenceNumber: "10", subSequenceNumber: 0 });
      assert.deepEqual(shard.violations, []);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("checkpoints records that map skipped without any flush", async () => {
    const f = fixture({ map: (record) => (record.sequenceNumber === "2" ? record.json<Event>() : undefined) });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      assert.deepEqual(shard.positions, ["1/0"]);
      assert.ok((await shard.processRecords(keyed(["a", "a"], 2))).ok);
      assert.deepEqual(shard.positions, ["1/0"], "2 is held, 3 was skipped after it");
      assert.equal(f.consumer.stats.recordsSkipped, 2);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("throttles checkpoints to checkpointIntervalMs", async () => {
    const f = fixture({ maxRecords: 1, checkpointIntervalMs: 3_600_000 });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      await f.sink.until(() => f.sink.flushed.length === 1);
      assert.ok((await shard.processRecords(keyed(["a", "a"], 2))).ok);
      await f.sink.until(() => f.sink.flushed.length === 3);
      assert.ok((await shard.processRecords([])).ok);
      assert.deepEqual(shard.positions, ["1/0"], "one checkpoint per interval");
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(shard.positions, ["1/0", "3/0"], "shutdown is never throttled");
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: the end of the shard's life", () => {
  it("flushes everything at shutdownRequested before checkpointing", async () => {
    const f = fixture();
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "b", "a", "c"]))).ok);
      assert.equal(f.sink.calls.length, 0);
      const shutdown = await shard.shutdownRequested();
      assert.ok(shutdown.ok);
      assert.deepEqual(f.sink.items.map((event) => event.seq).sort(), ["1", "2", "3", "4"]);
      assert.deepEqual(shard.positions, ["4/0"]);
      assert.deepEqual(shard.violations, []);
      assert.ok((await shard.leaseLost()).ok);
      assert.equal((await shard.end()).exitCode, 0);
    } finally {
      await f.consumer.close();
    }
  });

  it("flushes everything at shardEnded, then checkpoints SHARD_END", async () => {
    const f = fixture({ maxRecords: 2 });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "b", "b", "a", "a"]))).ok);
      const end = await shard.shardEnded();
      assert.ok(end.ok);
      assert.equal(f.sink.items.length, 5);
      assert.equal(shard.positions.at(-1), "SHARD_END");
      assert.equal(shard.committed, "SHARD_END");
      assert.ok(shard.positions.slice(0, -1).every((p) => p !== "SHARD_END"));
      assert.deepEqual(shard.violations, []);
      assert.equal((await shard.end()).exitCode, 0);
    } finally {
      await f.consumer.close();
    }
  });

  for (const end of ["shutdownRequested", "shardEnded"] as const) {
    it(`sends a checkpoint deferred from between actions once at ${end}, not twice`, async () => {
      const f = fixture({ maxRecords: 1 });
      try {
        f.sink.close();
        const shard = await f.start();
        assert.ok((await shard.processRecords(keyed(["a"]))).ok);
        // The flush ends between actions: its checkpoint request is deferred by the core to the next action.
        f.sink.open();
        await eventually(() => f.consumer.stats.recordsFlushed === 1);
        const outcome = await shard[end]();
        assert.ok(outcome.ok);
        const requests = outcome.outcome.lines.filter((line) => line.includes('"action":"checkpoint"'));
        assert.deepEqual(requests, [
          '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}',
          ...(end === "shardEnded" ? ['{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}'] : []),
        ]);
        assert.deepEqual(shard.positions, end === "shardEnded" ? ["1/0", "SHARD_END"] : ["1/0"]);
        assert.deepEqual(shard.violations, []);
        if (end === "shutdownRequested") assert.ok((await shard.leaseLost()).ok);
        assert.equal((await shard.end()).exitCode, 0);
      } finally {
        await f.consumer.close();
      }
    });
  }

  it("checkpoints at shutdownRequested what was flushed after a deferred request", async () => {
    const f = fixture({ maxRecords: 1 });
    try {
      f.sink.close();
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a"]))).ok);
      f.sink.release();
      await eventually(() => f.consumer.stats.recordsFlushed === 1);
      // 1/0 is requested between actions (deferred); 2/0 is flushed by shutdownRequested, then checkpointed.
      f.sink.open();
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(shard.positions, ["1/0", "2/0"]);
      assert.deepEqual(shard.violations, []);
      assert.ok((await shard.leaseLost()).ok);
    } finally {
      await f.consumer.close();
    }
  });

  it("stops its timers at leaseLost and leaves unflushed records to the next owner", async () => {
    const f = fixture({ maxAgeMs: 3_600_000, statsIntervalMs: 3_600_000 });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      assert.ok((await shard.leaseLost()).ok);
      assert.equal(f.sink.calls.length, 0);
      assert.equal((await shard.end()).exitCode, 0);
      assert.ok(f.logs.entries.some((e) => e.message === "Batch consumer stats at lease loss"));
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: failures", () => {
  it("retries a failed flush with backoff", async () => {
    const f = fixture({ maxRecords: 2, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    try {
      f.sink.failWhen((call) => (call.context.attempt < 3 ? new Error("sink unavailable") : undefined));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a"]))).ok);
      await f.sink.until(() => f.sink.flushed.length === 1);
      assert.deepEqual(f.sink.calls.map((call) => [call.context.attempt, call.outcome]), [
        [1, "failed"],
        [2, "failed"],
        [3, "ok"],
      ]);
      assert.equal(f.consumer.stats.flushRetries, 2);
      assert.equal(f.logs.entries.filter((e) => e.message === "Flush failed; retrying").length, 2);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("abandons a flush waiting to retry when the consumer is closed", async () => {
    const f = fixture({ retry: { attempts: 5, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 } });
    try {
      f.sink.failWhen(() => new Error("sink unavailable"));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      const shutdown = shard.shutdownRequested();
      await f.logs.until((e) => e.message === "Flush failed; retrying");
      const calls = f.sink.calls.length;
      // close() clears the wait before the next attempt: it resolves with no flush left in progress.
      await f.consumer.close();
      assert.equal(f.consumer.stats.flushesInFlight, 0);
      assert.equal(f.sink.calls.length, calls);
      const outcome = await shutdown;
      assert.ok(outcome.ok, "shutdownRequested ends once the consumer is closed");
      assert.deepEqual(shard.checkpoints, []);
      assert.equal((await shard.end()).exitCode, 0);
    } finally {
      await f.consumer.close();
    }
  });

  it("fails the next action when retries are exhausted, without checkpointing past the batch", async () => {
    const f = fixture({ maxRecords: 1, retry: { attempts: 2, baseDelayMs: 1 } });
    try {
      f.sink.failWhen((call) => (call.context.key === "b" ? new Error("disk full") : undefined));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "b", "a"]))).ok);
      await f.sink.until(() => f.sink.calls.filter((call) => call.context.key === "b").length === 2);
      await f.sink.until(() => f.sink.inProgress === 0);
      const next = await shard.processRecords(keyed(["a"], 4));
      assert.equal(next.ok, false);
      assert.match(
        String(!next.ok && next.result.error?.message),
        /Cannot flush 1 records \(2\/0\.\.2\/0, key "b"\).*disk full/,
      );
      assert.ok(shard.positions.every((p) => p === "1/0"), `checkpoints: ${shard.positions}`);
      assert.deepEqual(shard.violations, []);
      const logged = f.logs.entries.find((e) => e.level === "error");
      assert.match(logged?.message ?? "", /Flush failed for good/);
    } finally {
      await f.consumer.close();
    }
  });

  it("lets onBatchError drop a batch, and says so in the log", async () => {
    const f = fixture({
      maxRecords: 1,
      onBatchError: (error, batch) => (error.kind === "flush" && batch.key === "b" ? "drop" : undefined),
    });
    try {
      f.sink.failWhen((call) => (call.context.key === "b" ? new Error("rejected by the sink") : undefined));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "b", "a"]))).ok);
      await f.sink.until(() => f.sink.flushed.length === 2);
      assert.ok((await shard.shutdownRequested()).ok);
      assert.equal(shard.positions.at(-1), "3/0");
      assert.equal(f.consumer.stats.batchesDropped, 1);
      assert.ok(f.logs.entries.some((e) => e.level === "error" && e.message === "Dropping a batch (onBatchError)"));
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("fails with the error onBatchError rethrows", async () => {
    const f = fixture({
      onBatchError: (error) => {
        throw new Error(`poison batch: ${error.message}`);
      },
    });
    try {
      f.sink.failWhen(() => new Error("bad request"));
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a"]))).ok);
      const shutdown = await shard.shardEnded();
      assert.equal(shutdown.ok, false);
      assert.match(String(!shutdown.ok && shutdown.result.error?.message), /poison batch: Cannot flush 1 records/);
      assert.ok(!shard.positions.includes("SHARD_END"));
    } finally {
      await f.consumer.close();
    }
  });

  it("fails processRecords on a map that throws, naming the record", async () => {
    const f = fixture({
      map: (record) => {
        if (record.sequenceNumber === "2") throw new SyntaxError("not JSON");
        return record.json<Event>();
      },
    });
    try {
      const shard = await f.start();
      const outcome = await shard.processRecords(keyed(["a", "a", "a"]));
      assert.equal(outcome.ok, false);
      assert.match(
        String(!outcome.ok && outcome.result.error?.message),
        /Cannot map record 2\/0 of shard .*: not JSON/,
      );
      assert.deepEqual(shard.checkpoints, []);
    } finally {
      await f.consumer.close();
    }
  });

  it("lets onBatchError drop a record that map cannot handle", async () => {
    const dropped: string[] = [];
    const f = fixture({
      map: (record) => {
        if (record.sequenceNumber === "2") throw new SyntaxError("not JSON");
        return record.json<Event>();
      },
      onBatchError: (error, batch) => {
        if (error.kind !== "map") return;
        dropped.push(batch.record!.sequenceNumber);
        return "drop";
      },
    });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a", "a"]))).ok);
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(dropped, ["2"]);
      assert.deepEqual(keysOf(f.sink.items), ["a1", "a3"]);
      assert.deepEqual(shard.positions, ["3/0"]);
      assert.equal(f.consumer.stats.recordsDropped, 1);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("takes each record once when the core retries processRecords", async () => {
    let failures = 1;
    const f = fixture({
      maxRecords: 10,
      map: (record) => {
        if (record.sequenceNumber === "3" && failures-- > 0) throw new Error("flaky lookup");
        return record.json<Event>();
      },
    });
    try {
      const shard = await f.start({ kcl: { processRecordsRetry: { attempts: 2, baseDelayMs: 1 } } });
      assert.ok((await shard.processRecords(keyed(["a", "a", "a", "a"]))).ok);
      assert.ok((await shard.shutdownRequested()).ok);
      assert.deepEqual(keysOf(f.sink.items), ["a1", "a2", "a3", "a4"]);
      assert.equal(f.consumer.stats.recordsIn, 4);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: flow control", () => {
  it("holds processRecords while too much is buffered, until flushes complete", async () => {
    const f = fixture({ maxRecords: 2, maxBufferedRecords: 2 });
    try {
      f.sink.close();
      const shard = await f.start();
      let answered = false;
      // 5 records: [1,2] and [3,4] sealed, [5] open; only 2 may stay buffered.
      const action = shard.processRecords(keyed(["a", "a", "a", "a", "a"])).then((result) => {
        answered = true;
        return result;
      });
      await f.sink.until(() => f.sink.held === 1);
      f.sink.release();
      await f.sink.until(() => f.sink.flushed.length === 1 && f.sink.held === 1);
      assert.equal(answered, false, "3 records are still buffered while [3,4] is held by the sink");
      f.sink.open();
      assert.ok((await action).ok);
      assert.equal(f.consumer.stats.bufferedRecords, 1);
      assert.equal(f.consumer.stats.backpressureWaits, 1);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });

  it("flushes different keys in parallel up to maxConcurrentFlushes, in order within a key", async () => {
    const f = fixture({ maxRecords: 1, maxConcurrentFlushes: 2 });
    try {
      f.sink.close();
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a", "b", "c", "a", "b"]))).ok);
      await f.sink.until(() => f.sink.held === 2);
      assert.deepEqual(f.sink.calls.map((call) => call.context.key), ["a", "b"], "a2 waits for a1");
      f.sink.open();
      await f.sink.until(() => f.sink.flushed.length === 6);
      assert.equal(f.sink.maxConcurrent, 2);
      assert.deepEqual(f.sink.items.filter((e) => e.key === "a").map((e) => e.seq), ["1", "2", "5"]);
      assert.deepEqual(f.sink.items.filter((e) => e.key === "b").map((e) => e.seq), ["3", "6"]);
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: stats", () => {
  it("counts records, batches and lag, and logs them at intervals", async () => {
    const f = fixture({
      maxRecords: 2,
      statsIntervalMs: 5,
      map: (r) => (r.sequenceNumber === "3" ? undefined : r.json<Event>()),
    });
    try {
      const shard = await f.start();
      assert.ok((await shard.processRecords(keyed(["a", "a", "a", "a", "a"]), 1234)).ok);
      await f.sink.until(() => f.sink.flushed.length === 2);
      const stats = f.consumer.stats;
      assert.equal(stats.recordsIn, 5);
      assert.equal(stats.recordsSkipped, 1);
      assert.equal(stats.recordsFlushed, 4);
      assert.equal(stats.batchesFlushed, 2);
      assert.equal(stats.millisBehindLatest, 1234);
      assert.equal(typeof stats.meanFlushMs, "number");
      assert.equal(stats.bufferedRecords, 0);
      // The stats timer logs by itself.
      const logged = await f.logs.until((e) => e.message === "Batch consumer stats" && e.fields.recordsFlushed === 4);
      assert.equal(logged.fields.recordsIn, 5);
      assert.equal(logged.fields.shardId, "shardId-000000000001");
      await shard.leaseLost();
    } finally {
      await f.consumer.close();
    }
  });
});

describe("BatchConsumer: options", () => {
  it("rejects nonsense with a clear message", () => {
    const flush = () => {};
    const map = () => 1;
    assert.throws(() => new BatchConsumer({ map, flush, maxRecords: 0 }), /maxRecords must be an integer >= 1, got 0/);
    assert.throws(() => new BatchConsumer({ map, flush, maxBytes: -1 }), /maxBytes must be > 0/);
    assert.throws(() => new BatchConsumer({ map, flush, retry: { attempts: 0 } }), /attempts must be an integer >= 1/);
    assert.throws(() => new BatchConsumer({ map, flush: undefined as never }), /flush is not a function/);
    const renamed = { map, flush, onFlushError: () => "drop" } as never;
    assert.throws(() => new BatchConsumer(renamed), /onFlushError was renamed onBatchError in 0\.2\.0/);
  });

  it("refuses a second initialize: one consumer per shard", async () => {
    const consumer = new BatchConsumer({ map: () => 1, flush: () => {}, log: () => {} });
    consumer.initialize({ shardId: "s", sequenceNumber: null, subSequenceNumber: null });
    assert.throws(
      () => consumer.initialize({ shardId: "s", sequenceNumber: null, subSequenceNumber: null }),
      /create one BatchConsumer per shard/,
    );
    await consumer.close();
  });
});
