import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Checkpointer, CheckpointError } from "../mod.ts";
import {
  type CheckpointRequest,
  initializeMessage,
  processRecordsMessage,
  SessionDaemon,
  wireRecord,
} from "./support/session_daemon.ts";
import { TRANSPORT_KINDS } from "./support/memory_transports.ts";

function checkpointError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** Records the outcome of a checkpoint promise without letting it go unhandled. */
function track(promise: Promise<void>): { settled: Promise<void>; outcome: () => unknown } {
  let outcome: unknown = "pending";
  const settled = promise.then(() => void (outcome = "resolved"), (error) => void (outcome = error));
  return { settled, outcome: () => outcome };
}

function keepingProcessor() {
  const kept: Checkpointer[] = [];
  const processor = {
    processRecords({ checkpointer }: { checkpointer: Checkpointer }) {
      kept.push(checkpointer);
    },
  };
  return { processor, kept };
}

for (const transport of TRANSPORT_KINDS) {
  const start = SessionDaemon.over(transport);

  const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;
  const at = (sequenceNumber: string | null, subSequenceNumber: number | null = 0): CheckpointRequest => ({
    sequenceNumber,
    subSequenceNumber: sequenceNumber === null ? null : subSequenceNumber,
  });
  const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

  /**
   * A processor that keeps the checkpointer of its last batch (a background
   * flusher would), and can run a step inside the next handler.
   */

  /** An action no daemon sends: answered with a status, it opens no checkpoint window. */
  const BARRIER = { action: "barrier" };

  describe(`KclProcess checkpoints during an action (${transport} transport)`, () => {
    it("matches replies to requests first-in first-out, one request on the wire at a time", async () => {
      const results: unknown[] = [];
      const daemon = start({
        async processRecords({ checkpointer }) {
          const all = [checkpointer.checkpoint("1"), checkpointer.checkpoint("2", 1), checkpointer.checkpoint()];
          for (const settled of await Promise.allSettled(all)) {
            results.push(settled.status === "fulfilled" ? "ok" : (settled.reason as CheckpointError).code);
          }
        },
      });
      await daemon.action(initializeMessage());
      const answers = ["IllegalArgumentException", null, "InvalidStateException"];
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1"), wireRecord("2")]), async () => {
        await daemon.barrier();
        assert.equal(daemon.unread.length, 0, "a second request was written before the first was answered");
        return answers.shift() ?? null;
      });
      assert.deepEqual(outcome.checkpoints, [at("1"), at("2", 1), at(null)]);
      assert.deepEqual(results, ["IllegalArgumentException", "ok", "InvalidStateException"]);
      assert.equal(outcome.lines.at(-1), status("processRecords"));
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("answers only after a checkpoint that background code started just after the handler returned", async () => {
      // Each depth starts the request a different number of microtasks after the
      // handler returned: either it is sent and answered before the status, or it
      // is deferred; never written and left unanswered around the status.
      // Either way, the request is sent (in this action or first thing in the next) and succeeds.
      for (let depth = 0; depth < 6; depth++) {
        let result = "pending";
        let batches = 0;
        const daemon = start({
          processRecords({ checkpointer }) {
            if (++batches > 1) return;
            let chain = Promise.resolve();
            for (let i = 0; i < depth; i++) chain = chain.then(() => {});
            void chain.then(() => checkpointer.checkpoint("1")).then(() => (result = "ok"), (e) => (result = e));
          },
        });
        await daemon.action(initializeMessage());
        const outcome = await daemon.action(processRecordsMessage([wireRecord("1")]), async () => {
          await daemon.barrier();
          assert.deepEqual(daemon.unread, [], `depth ${depth}: the status was sent before the checkpoint reply`);
          return null;
        });
        assert.equal(outcome.lines.at(-1), status("processRecords"));
        // The next status is the definite event: a line written after the first status comes before it.
        const next = await daemon.action(processRecordsMessage([wireRecord("2")]));
        const request = '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}';
        assert.deepEqual(
          [...outcome.lines, ...next.lines],
          outcome.checkpoints.length === 1
            ? [request, status("processRecords"), status("processRecords")]
            : [status("processRecords"), request, status("processRecords")],
          `depth ${depth}: a request around the status`,
        );
        assert.deepEqual([...outcome.checkpoints, ...next.checkpoints], [at("1")], `depth ${depth}`);
        assert.equal(result, "ok", `depth ${depth}`);
        assert.equal((await daemon.end()).exitCode, 0);
      }
    });

    it("checkpoints a record object, a sequence number, a sub-sequence number and null", async () => {
      const daemon = start({
        async processRecords({ records, checkpointer }) {
          await checkpointer.checkpoint(records[0]!);
          await checkpointer.checkpoint({ sequenceNumber: "2", subSequenceNumber: null });
          await checkpointer.checkpoint("3", 7);
          await checkpointer.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1", "a", { subSequenceNumber: 4 })]));
      assert.deepEqual(outcome.checkpoints, [at("1", 4), at("2"), at("3", 7), at(null)]);
      assert.deepEqual(outcome.lines.slice(0, 4), [
        '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":4}',
        '{"action":"checkpoint","sequenceNumber":"2","subSequenceNumber":0}',
        '{"action":"checkpoint","sequenceNumber":"3","subSequenceNumber":7}',
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}',
      ]);
    });

    it("rejects an invalid position with IllegalArgumentException without writing anything", async () => {
      const codes: unknown[] = [];
      const daemon = start({
        async processRecords({ checkpointer }) {
          const attempts = [
            () => checkpointer.checkpoint("TRIM_HORIZON"),
            () => checkpointer.checkpoint("12a"),
            () => checkpointer.checkpoint(""),
            () => checkpointer.checkpoint("12", -1),
            () => checkpointer.checkpoint("12", 1.5),
            () => checkpointer.checkpoint({ sequenceNumber: "LATEST" }),
            () => checkpointer.checkpoint({ sequenceNumber: 12 as unknown as string }),
          ];
          for (const attempt of attempts) {
            await attempt().then(() => codes.push("resolved"), (error) => codes.push((error as CheckpointError).code));
          }
        },
      });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1")]));
      assert.deepEqual(outcome.lines, [status("processRecords")]);
      assert.deepEqual(codes, Array(7).fill("IllegalArgumentException"));
    });

    it("retries ThrottlingException and KinesisClientLibDependencyException, then succeeds", async () => {
      let result: unknown;
      const daemon = start({
        async processRecords({ checkpointer }) {
          result = await checkpointer.checkpoint("9").then(() => "resolved");
        },
      }, { checkpointRetry: FAST_RETRY });
      await daemon.action(initializeMessage());
      const answers = ["ThrottlingException", "KinesisClientLibDependencyException", "ThrottlingException", null];
      const outcome = await daemon.action(processRecordsMessage([wireRecord("9")]), () => answers.shift() ?? null);
      assert.deepEqual(outcome.checkpoints, [at("9"), at("9"), at("9"), at("9")]);
      assert.equal(result, "resolved");
      const retries = daemon.logs.filter((e) => e.message === "Checkpoint failed; retrying");
      assert.deepEqual(retries.map((e) => e.fields?.attempt), [1, 2, 3]);
      assert.deepEqual(retries.map((e) => e.fields?.position), ["9/0", "9/0", "9/0"]);
    });

    it("names what a retried null checkpoint targets, in words", async () => {
      const daemon = start({
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint();
        },
      }, { checkpointRetry: FAST_RETRY });
      await daemon.action(initializeMessage());
      const answers = ["ThrottlingException", null];
      await daemon.action(
        processRecordsMessage([wireRecord("4949"), wireRecord("4950")]),
        () => answers.shift() ?? null,
      );
      const retry = daemon.logs.find((e) => e.message === "Checkpoint failed; retrying");
      assert.equal(retry?.fields?.position, "the last record of the batch, 4950/0");
    });

    it("rejects with a retryable CheckpointError after the configured attempts", async () => {
      let error: unknown;
      const daemon = start({
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint().catch((e) => void (error = e));
        },
      }, { checkpointRetry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 } });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage([wireRecord("9")]), () => "ThrottlingException");
      assert.equal(outcome.checkpoints.length, 3);
      assert.ok(error instanceof CheckpointError);
      assert.equal(error.code, "ThrottlingException");
      assert.equal(error.retryable, true);
      assert.match(error.message, /after 3 attempts/);
      assert.equal(outcome.responseFor, "processRecords");
    });

    it("rejects a non-retryable error at once", async () => {
      let error: unknown;
      const daemon = start({
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint("1").catch((e) => void (error = e));
        },
      }, { checkpointRetry: FAST_RETRY });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1")]), () => "IllegalArgumentException");
      assert.equal(outcome.checkpoints.length, 1);
      assert.ok(error instanceof CheckpointError);
      assert.equal(error.code, "IllegalArgumentException");
      assert.equal(error.retryable, false);
    });

    it("rejects a checkpoint waiting out its retry delay as soon as the session ends", async () => {
      let outcome: unknown = "pending";
      const daemon = start({
        processRecords({ checkpointer }) {
          checkpointer.checkpoint().then(() => (outcome = "resolved"), (error) => (outcome = error));
          return new Promise(() => {}); // never settles: the daemon's input closes mid-action
        },
      }, { checkpointRetry: { attempts: 3, baseDelayMs: 600_000, maxDelayMs: 600_000 } });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage([wireRecord("1")])));
      assert.match((await daemon.nextLine()) ?? "", /"action":"checkpoint"/);
      await daemon.send(
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"ThrottlingException"}',
      );
      const result = await daemon.end();
      assert.equal(result.exitCode, 1);
      assert.ok(daemon.logs.some((entry) => entry.message === "Checkpoint failed; retrying"));
      assert.ok(outcome instanceof CheckpointError, `the checkpoint is ${String(outcome)}`);
      assert.equal(outcome.code, "ShutdownException");
    });

    it("logs a warning when a reply does not echo the request, and still matches it", async () => {
      let result: unknown;
      const daemon = start({
        async processRecords({ checkpointer }) {
          result = await checkpointer.checkpoint("5").then(() => "resolved");
        },
      });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage([wireRecord("5")])));
      assert.equal(await daemon.nextLine(), '{"action":"checkpoint","sequenceNumber":"5","subSequenceNumber":0}');
      await daemon.send('{"action":"checkpoint","sequenceNumber":"6","subSequenceNumber":0,"error":null}');
      assert.equal(await daemon.nextLine(), status("processRecords"));
      assert.equal(result, "resolved");
      assert.ok(daemon.logs.some((e) => e.level === "warn" && /does not echo/.test(e.message)));
    });
  });

  describe(`KclProcess checkpoints kept after their action (${transport} transport)`, () => {
    it("writes nothing between actions and sends the request first thing in the next processRecords", async () => {
      const { processor, kept } = keepingProcessor();
      const order: string[] = [];
      const daemon = start({
        async processRecords(input) {
          processor.processRecords(input);
          if (kept.length !== 2) return;
          order.push("handler 2");
          await input.checkpointer.checkpoint();
          order.push("own");
        },
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("10"), wireRecord("11")]));
      const background = track(kept[0]!.checkpoint("10").then(() => void order.push("background")));
      const barrier = await daemon.action(BARRIER);
      assert.deepEqual(barrier.lines, [status("barrier")], "a checkpoint was written outside an action");
      assert.equal(background.outcome(), "pending");
      const outcome = await daemon.action(processRecordsMessage([wireRecord("12")]));
      assert.deepEqual(outcome.checkpoints, [at("10"), at(null)]);
      await background.settled;
      assert.equal(background.outcome(), "resolved");
      assert.ok(order.indexOf("background") < order.indexOf("own"), `deferred answered first: ${order}`);
    });

    it("pins a deferred no-argument checkpoint to the last record of its own batch", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("20"), wireRecord("21", "x", { subSequenceNumber: 5 })]));
      const first = track(kept[0]!.checkpoint());
      await daemon.action(BARRIER);
      const outcome = await daemon.action(processRecordsMessage([wireRecord("30"), wireRecord("31")]));
      assert.deepEqual(outcome.checkpoints, [at("21", 5)], "must not be null (= batch 30..31) nor 31");
      await first.settled;
      assert.equal(first.outcome(), "resolved");
    });

    it("pins an old checkpointer's no-argument request made during a later batch to its own batch", async () => {
      const kept: Checkpointer[] = [];
      const daemon = start({
        async processRecords({ checkpointer }) {
          kept.push(checkpointer);
          if (kept.length === 2) await kept[0]!.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("40")]));
      const outcome = await daemon.action(processRecordsMessage([wireRecord("50")]));
      assert.deepEqual(outcome.checkpoints, [at("40")]);
    });

    it("resolves a deferred no-argument checkpoint at once when nothing was delivered yet", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([]));
      await kept[0]!.checkpoint();
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1")]));
      assert.deepEqual(outcome.checkpoints, []);
    });

    it("sends deferred requests in the order made, at the start of shardEnded before the SHARD_END checkpoint", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("60"), wireRecord("61")]));
      const a = track(kept[0]!.checkpoint("60"));
      const b = track(kept[0]!.checkpoint());
      await daemon.action(BARRIER);
      const outcome = await daemon.action({ action: "shardEnded" });
      assert.deepEqual(outcome.checkpoints, [at("60"), at("61"), at(null)]);
      await Promise.all([a.settled, b.settled]);
      assert.deepEqual([a.outcome(), b.outcome()], ["resolved", "resolved"]);
    });

    it("sends deferred requests at the start of shutdownRequested", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("70")]));
      const a = track(kept[0]!.checkpoint());
      await daemon.action(BARRIER);
      const outcome = await daemon.action({ action: "shutdownRequested" });
      assert.deepEqual(outcome.checkpoints, [at("70")]);
      await a.settled;
      assert.equal(a.outcome(), "resolved");
    });

    it("rejects deferred requests with ShutdownException when the lease is lost, writing nothing", async () => {
      const { processor, kept } = keepingProcessor();
      let lateError: unknown;
      const daemon = start({
        ...processor,
        async leaseLost() {
          await kept[0]!.checkpoint("80").catch((error) => void (lateError = error));
        },
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("80")]));
      const a = track(kept[0]!.checkpoint());
      const b = track(kept[0]!.checkpoint("80"));
      const outcome = await daemon.action({ action: "leaseLost" });
      assert.deepEqual(outcome.lines, [status("leaseLost")]);
      await Promise.all([a.settled, b.settled]);
      checkpointError("ShutdownException")(a.outcome());
      checkpointError("ShutdownException")(b.outcome());
      checkpointError("ShutdownException")(lateError);
      await assert.rejects(kept[0]!.checkpoint("80"), checkpointError("ShutdownException"));
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("rejects deferred requests with ShutdownException when stdin ends between actions", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("90")]));
      const a = track(kept[0]!.checkpoint());
      const result = await daemon.end();
      assert.equal(result.exitCode, 0);
      await a.settled;
      checkpointError("ShutdownException")(a.outcome());
      assert.deepEqual(daemon.written, [status("initialize"), status("processRecords")]);
    });

    it("keeps a request deferred across an unknown action", async () => {
      const { processor, kept } = keepingProcessor();
      const daemon = start(processor);
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("95")]));
      const a = track(kept[0]!.checkpoint());
      assert.deepEqual((await daemon.action(BARRIER)).lines, [status("barrier")]);
      assert.deepEqual((await daemon.action({ action: "another" })).lines, [status("another")]);
      assert.equal(a.outcome(), "pending");
      const outcome = await daemon.action(processRecordsMessage([]));
      assert.deepEqual(outcome.checkpoints, [at("95")]);
    });
  });

  describe(`KclProcess shard end (${transport} transport)`, () => {
    for (
      const [name, shardEnded] of [
        ["absent", undefined],
        ["present but not checkpointing", () => {}],
      ] as const
    ) {
      it(`sends the SHARD_END checkpoint itself when shardEnded is ${name}`, async () => {
        const daemon = start({ processRecords() {}, ...(shardEnded ? { shardEnded } : {}) });
        await daemon.action(initializeMessage());
        await daemon.action(processRecordsMessage([wireRecord("1")]));
        const outcome = await daemon.action({ action: "shardEnded" });
        assert.deepEqual(outcome.lines, [
          '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}',
          status("shardEnded"),
        ]);
        assert.equal((await daemon.end()).exitCode, 0);
      });
    }

    it("still sends the null checkpoint when the handler checkpointed the last record explicitly", async () => {
      const daemon = start({
        processRecords() {},
        async shardEnded({ checkpointer }) {
          await checkpointer.checkpoint("2");
        },
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("2")]));
      const outcome = await daemon.action({ action: "shardEnded" });
      assert.deepEqual(outcome.checkpoints, [at("2"), at(null)]);
    });

    it("does not send the null checkpoint twice when the handler did it", async () => {
      const daemon = start({
        processRecords() {},
        async shardEnded({ checkpointer }) {
          await checkpointer.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action({ action: "shardEnded" });
      assert.deepEqual(outcome.checkpoints, [at(null)]);
    });

    it("does not send the null checkpoint twice when the handler started it without awaiting", async () => {
      const daemon = start({
        processRecords() {},
        shardEnded({ checkpointer }) {
          void checkpointer.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action({ action: "shardEnded" });
      assert.deepEqual(outcome.checkpoints, [at(null)]);
    });

    it("retries a throttled SHARD_END checkpoint", async () => {
      const daemon = start({ processRecords() {} }, { checkpointRetry: FAST_RETRY });
      await daemon.action(initializeMessage());
      const answers = ["ThrottlingException", null];
      const outcome = await daemon.action({ action: "shardEnded" }, () => answers.shift() ?? null);
      assert.deepEqual(outcome.checkpoints, [at(null), at(null)]);
      assert.equal(outcome.responseFor, "shardEnded");
    });

    it("answers shard end when the SHARD_END checkpoint finds the lease gone", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action({ action: "shardEnded" }, () => "ShutdownException");
      assert.deepEqual(outcome.checkpoints, [at(null)]);
      assert.equal(outcome.responseFor, "shardEnded");
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("sends no status and ends with exit code 1 when the SHARD_END checkpoint fails for good", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.action(initializeMessage());
      await daemon.send('{"action":"shardEnded"}');
      assert.equal(await daemon.nextLine(), '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}');
      await daemon.send(
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"InvalidStateException"}',
      );
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.match(
        result.error?.message ?? "",
        /^Cannot complete the end of shard shardId-000000000000: .*InvalidStateException/,
      );
      assert.deepEqual(daemon.unread, []);
    });

    it("sends no status and ends with exit code 1 when shardEnded throws", async () => {
      const daemon = start({
        processRecords() {},
        shardEnded() {
          throw new Error("flush failed");
        },
      });
      await daemon.action(initializeMessage());
      await daemon.send('{"action":"shardEnded"}');
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /flush failed/);
      assert.deepEqual(daemon.written, [status("initialize")]);
    });
  });

  describe(`KclProcess KCL 1.x shutdown (${transport} transport)`, () => {
    it("handles TERMINATE as shard end: shardEnded, null checkpoint, status for shutdown", async () => {
      const calls: string[] = [];
      const daemon = start({
        processRecords() {},
        shardEnded: () => void calls.push("shardEnded"),
        leaseLost: () => void calls.push("leaseLost"),
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("1", "a", { subSequenceNumber: null })]));
      const outcome = await daemon.action({ action: "shutdown", reason: "TERMINATE" });
      assert.deepEqual(outcome.lines, [
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}',
        status("shutdown"),
      ]);
      assert.deepEqual(calls, ["shardEnded"]);
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("handles ZOMBIE as lease lost: deferred requests rejected, status for shutdown", async () => {
      const calls: string[] = [];
      const kept: Checkpointer[] = [];
      const daemon = start({
        processRecords: ({ checkpointer }) => void kept.push(checkpointer),
        shardEnded: () => void calls.push("shardEnded"),
        leaseLost: () => void calls.push("leaseLost"),
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("1")]));
      const deferred = track(kept[0]!.checkpoint());
      const outcome = await daemon.action({ action: "shutdown", reason: "ZOMBIE" });
      assert.deepEqual(outcome.lines, [status("shutdown")]);
      assert.deepEqual(calls, ["leaseLost"]);
      await deferred.settled;
      checkpointError("ShutdownException")(deferred.outcome());
    });

    it("handles REQUESTED as shutdownRequested with a working checkpointer, status for shutdown", async () => {
      const calls: string[] = [];
      const daemon = start({
        processRecords() {},
        async shutdownRequested({ checkpointer }) {
          calls.push("shutdownRequested");
          await checkpointer.checkpoint();
        },
      });
      await daemon.action(initializeMessage());
      await daemon.action(processRecordsMessage([wireRecord("3")]));
      const outcome = await daemon.action({ action: "shutdown", reason: "REQUESTED" });
      assert.deepEqual(outcome.lines, [
        '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}',
        status("shutdown"),
      ]);
      assert.deepEqual(calls, ["shutdownRequested"]);
    });
  });
}
