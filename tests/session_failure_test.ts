import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KinesisRecord } from "../mod.ts";
import { initializeMessage, processRecordsMessage, SessionDaemon, wireRecord } from "./support/session_daemon.ts";
import { TRANSPORT_KINDS } from "./support/memory_transports.ts";

for (const transport of TRANSPORT_KINDS) {
  const start = SessionDaemon.over(transport);

  const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;
  const BATCH = [wireRecord("100"), wireRecord("101"), wireRecord("102", "x", { subSequenceNumber: 2 })];

  describe(`KclProcess when processRecords throws (${transport} transport)`, () => {
    it("sends no status and ends with exit code 1, naming the batch's sequence range", async () => {
      let calls = 0;
      const daemon = start({
        processRecords() {
          calls++;
          throw new Error("database down");
        },
      });
      await daemon.action(initializeMessage("shardId-000000000003"));
      await daemon.send(JSON.stringify(processRecordsMessage(BATCH)));
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.equal(calls, 1, "no retry by default");
      const message = result.error?.message ?? "";
      assert.match(message, /^Cannot process records 100\/0\.\.102\/2 \(3 records\) of shard shardId-000000000003: /);
      assert.match(message, /database down/);
      assert.equal((result.error?.cause as Error).message, "database down");
      assert.deepEqual(daemon.written, [status("initialize")]);
      const logged = daemon.logs.find((e) => e.level === "error");
      assert.equal(logged?.message, message);
      assert.equal((logged?.fields?.error as Error).message, "database down");
    });

    it("fails the same way when an async handler rejects, and for an empty batch", async () => {
      const daemon = start({
        async processRecords() {
          await Promise.resolve();
          throw new TypeError("bad state");
        },
      });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage([])));
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /\(0 records\).*bad state/);
    });

    it("retries the same batch with processRecordsRetry, then answers once", async () => {
      const batches: (readonly KinesisRecord[])[] = [];
      const daemon = start({
        processRecords({ records }) {
          batches.push(records);
          if (batches.length < 3) throw new Error(`attempt ${batches.length}`);
        },
      }, { processRecordsRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage(BATCH));
      assert.deepEqual(outcome.lines, [status("processRecords")]);
      assert.equal(batches.length, 3);
      for (const records of batches) {
        assert.deepEqual(records.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`), ["100/0", "101/0", "102/2"]);
      }
      const retries = daemon.logs.filter((e) => e.message === "processRecords failed; retrying the batch");
      assert.deepEqual(retries.map((e) => e.fields?.attempt), [1, 2]);
      assert.equal(retries[0]?.fields?.first, "100/0");
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("fails after the last retry", async () => {
      let calls = 0;
      const daemon = start({
        processRecords() {
          calls++;
          throw new Error("still down");
        },
      }, { processRecordsRetry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 } });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage(BATCH)));
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.equal(calls, 2);
      assert.deepEqual(daemon.written, [status("initialize")]);
    });

    it("skips the batch with skipFailedBatches: answers the status and logs an error", async () => {
      const daemon = start({
        processRecords({ records }) {
          if (records[0]?.sequenceNumber === "100") throw new Error("poison");
        },
      }, { skipFailedBatches: true });
      await daemon.action(initializeMessage());
      assert.deepEqual((await daemon.action(processRecordsMessage(BATCH))).lines, [status("processRecords")]);
      const logged = daemon.logs.find((e) => e.level === "error");
      assert.ok(logged, "an error is logged");
      assert.match(logged.message, /skipping the batch/);
      assert.equal(logged.fields?.first, "100/0");
      assert.equal(logged.fields?.last, "102/2");
      assert.equal((logged.fields?.error as Error).message, "poison");
      assert.deepEqual((await daemon.action(processRecordsMessage([wireRecord("200")]))).lines, [
        status("processRecords"),
      ]);
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("answers the status when the handler throws the CheckpointError of a lost lease", async () => {
      let calls = 0;
      const daemon = start({
        async processRecords({ checkpointer }) {
          calls++;
          await checkpointer.checkpoint();
        },
      }, { processRecordsRetry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 } });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage(BATCH), () => "ShutdownException");
      assert.equal(outcome.responseFor, "processRecords");
      assert.equal(calls, 1, "a lost lease is not retried");
      assert.ok(daemon.logs.some((e) => e.level === "warn" && /lease gone/.test(e.message)));
      assert.deepEqual((await daemon.action({ action: "leaseLost" })).lines, [status("leaseLost")]);
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("fails when the handler throws another CheckpointError", async () => {
      const daemon = start({
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage(BATCH)));
      assert.equal(await daemon.nextLine(), '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}');
      await daemon.send(
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"InvalidStateException"}',
      );
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /InvalidStateException/);
      assert.deepEqual(daemon.unread, []);
    });

    it("answers leaseLost and shutdownRequested even when their handlers throw", async () => {
      const daemon = start({
        processRecords() {},
        shutdownRequested() {
          throw new Error("a");
        },
        leaseLost() {
          throw new Error("b");
        },
      });
      await daemon.action(initializeMessage());
      assert.equal((await daemon.action({ action: "shutdownRequested" })).responseFor, "shutdownRequested");
      assert.equal((await daemon.action({ action: "leaseLost" })).responseFor, "leaseLost");
      assert.equal(daemon.logs.filter((e) => e.level === "error").length, 2);
      assert.equal((await daemon.end()).exitCode, 0);
    });
  });
}
