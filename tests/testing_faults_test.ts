/** Each fault injection of FakeDaemon has its documented effect on the wire and on a real session. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RecordProcessor } from "../mod.ts";
import { FakeDaemon, RecordBuilder } from "../src/testing/mod.ts";

const checkpointing: RecordProcessor = { processRecords: ({ checkpointer }) => checkpointer.checkpoint() };
const fastRetry = { session: { checkpointRetry: { baseDelayMs: 1, maxDelayMs: 2 } } };

describe("FakeDaemon fault injection", () => {
  it("fails the next N checkpoints with the given exception; the library retries throttling", async () => {
    const daemon = FakeDaemon.inProcess(checkpointing, fastRetry);
    await daemon.initialize();
    daemon.failNextCheckpoints(2, "ThrottlingException");
    const records = new RecordBuilder().build(["a"]);
    const batch = await daemon.processRecords(records);
    assert.deepEqual(batch.checkpoints.map((c) => c.error), ["ThrottlingException", "ThrottlingException", null]);
    assert.equal(daemon.checkpoint?.sequenceNumber, records[0]!.sequenceNumber);
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
  });

  it("a non-retryable injected failure reaches the processor, and nothing is stored", async () => {
    const codes: string[] = [];
    const daemon = FakeDaemon.inProcess({
      async processRecords({ checkpointer }) {
        await checkpointer.checkpoint().catch((error: { code: string }) => void codes.push(error.code));
      },
    });
    await daemon.initialize();
    daemon.failNextCheckpoints(1, "ShutdownException");
    await daemon.processRecords(new RecordBuilder().build(["a"]));
    assert.deepEqual(codes, ["ShutdownException"]);
    assert.equal(daemon.checkpoint?.sequenceNumber, "TRIM_HORIZON");
    await daemon.end();
  });

  it("delays checkpoint replies by checkpointDelayMs, and not without it", async () => {
    // Ordered by timers, not by a clock: a timer a little shorter than the delay, started before the request, fires
    // before a delayed reply arrives (its deadline is earlier); without the delay the reply comes first.
    for (const delay of [60, 0]) {
      const order: string[] = [];
      let timerFired!: Promise<void>;
      const daemon = FakeDaemon.inProcess({
        async processRecords({ checkpointer }) {
          timerFired = new Promise((resolve) => setTimeout(() => resolve(void order.push("timer")), 55));
          await checkpointer.checkpoint();
          order.push("reply");
        },
      }, { faults: { checkpointDelayMs: delay } });
      await daemon.initialize();
      await daemon.processRecords(new RecordBuilder().build(["a"]));
      await timerFired;
      assert.deepEqual(order, delay > 0 ? ["timer", "reply"] : ["reply", "timer"], `checkpointDelayMs ${delay}`);
      const request = daemon.transcript.findIndex((e) => e.from === "child" && e.line.includes('"checkpoint"'));
      const reply = daemon.transcript.findIndex((e) => e.from === "daemon" && e.line.includes('"error"'));
      assert.ok(request !== -1 && reply > request, "the reply follows the request");
      await daemon.end();
    }
  });

  it("sends CRLF line endings, shuffled keys and unknown fields that a correct child ignores", async () => {
    const seen: string[] = [];
    const daemon = FakeDaemon.inProcess({
      async processRecords({ records, checkpointer }) {
        for (const record of records) seen.push(`${record.partitionKey}=${record.text()}`);
        await checkpointer.checkpoint();
      },
    }, { faults: { lineEnding: "\r\n", shuffleKeys: true, unknownFields: true, seed: 7 } });
    await daemon.initialize();
    const records = new RecordBuilder().build(["a", "b"]);
    const batch = await daemon.processRecords(records);
    await daemon.shardEnded();
    assert.equal(await daemon.end(), 0);
    assert.deepEqual(seen, ["pk-0=a", "pk-1=b"]);
    assert.deepEqual(batch.checkpoints.map((c) => c.error), [null]);
    daemon.assertNoViolations();
    const sent = daemon.transcript.filter((e) => e.from === "daemon").map((e) => e.line);
    const batchLine = JSON.parse(sent[1]!);
    assert.equal(batchLine.kclFutureField.added, "by a newer daemon");
    assert.equal(batchLine.records[0].kclFutureField.added, "by a newer daemon");
    const orders = sent.map((line) => Object.keys(JSON.parse(line)).join());
    assert.ok(orders.some((order) => !order.startsWith("action,")), `key orders: ${orders.join(" | ")}`);
  });

  it("writes CRLF on the wire", async () => {
    const chunks: string[] = [];
    const daemon = new FakeDaemon({
      write(text) {
        chunks.push(text);
        return Promise.resolve();
      },
      lines: async function* () {},
      closeInput: () => Promise.resolve(),
      exited: () => Promise.resolve(0),
      kill() {},
    }, { faults: { lineEnding: "\r\n" } });
    await assert.rejects(daemon.leaseLost(), { kind: "child-exited" });
    assert.deepEqual(chunks, ['{"action":"leaseLost"}\r\n']);
  });

  it("sends garbage lines before every action; the library skips them and logs a warning", async () => {
    const daemon = FakeDaemon.inProcess(checkpointing, { faults: { garbageLines: 6 } });
    await daemon.initialize();
    await daemon.processRecords(new RecordBuilder().build(["a"]));
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();
    const garbage = daemon.transcript.filter((e) => e.from === "daemon" && !/^\{"action":/.test(e.line));
    assert.equal(garbage.length, 3 * 6);
    assert.ok(daemon.stderr.some((line) => line.includes("Skipping a line that is not a daemon message")));
  });
});
