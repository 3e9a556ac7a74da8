/**
 * FakeDaemon driving the library's KclProcess in process, the daemon's
 * checkpoint rules, checked against a scripted child, and the hooks a test
 * uses to observe checkpoints and signal a real child.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { FakeDaemon, FakeDaemonError, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath } from "./support/child_command.ts";
import { type Script, scriptedTransport } from "./support/testing/scripted_child.ts";
import { spawnReady } from "./support/testing/spawn_ready.ts";

/** The default first sequence number of a RecordBuilder. */
const FIRST_SEQUENCE_NUMBER = "49590338271490256608559692538361571095921575989136588898";

const checkpointLine = (sequenceNumber: string | null, subSequenceNumber: number | null = 0) =>
  `AWAIT ${JSON.stringify({ action: "checkpoint", sequenceNumber, subSequenceNumber })}`;

/** A daemon over a scripted child: `script[action]` says what the child writes. */
function scripted(script: Script): FakeDaemon {
  return new FakeDaemon(scriptedTransport(script));
}

describe("FakeDaemon in process", () => {
  it("delivers realistic records and tracks the stored checkpoint", async () => {
    const seen: unknown[] = [];
    const daemon = FakeDaemon.inProcess({
      async processRecords({ records, checkpointer }) {
        for (const record of records) seen.push([record.subSequenceNumber, record.partitionKey, record.json()]);
        await checkpointer.checkpoint(records[0]!);
      },
    });
    const builder = new RecordBuilder({ aggregate: 2, partitionKey: (i) => `user-${i}` });
    await daemon.initialize({ shardId: "shardId-000000000003" });
    const records = builder.build([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const batch = await daemon.processRecords(records, { millisBehindLatest: 42 });
    assert.deepEqual(seen, [[0, "user-0", { n: 1 }], [1, "user-1", { n: 2 }], [0, "user-2", { n: 3 }]]);
    assert.deepEqual(batch.checkpoints, [{ sequenceNumber: FIRST_SEQUENCE_NUMBER, subSequenceNumber: 0, error: null }]);
    assert.deepEqual(daemon.checkpoint, { sequenceNumber: FIRST_SEQUENCE_NUMBER, subSequenceNumber: 0 });
    assert.deepEqual(daemon.lastDelivered, { sequenceNumber: records[2]!.sequenceNumber, subSequenceNumber: 0 });
    const end = await daemon.shardEnded();
    assert.deepEqual(end.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null, error: null }]);
    assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();
  });

  it("keeps a transcript of both directions", async () => {
    const daemon = FakeDaemon.inProcess({ processRecords: ({ checkpointer }) => checkpointer.checkpoint() });
    await daemon.initialize();
    const [record] = new RecordBuilder().build(["hello"]);
    await daemon.processRecords([record!]);
    await daemon.leaseLost();
    await daemon.end();
    const lines = daemon.transcript.map((entry) => `${entry.from} ${entry.line}`);
    assert.deepEqual(lines, [
      'daemon {"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
      'child {"action":"status","responseFor":"initialize"}',
      `daemon {"action":"processRecords","records":[{"data":"aGVsbG8=","partitionKey":"pk-0","sequenceNumber":"${FIRST_SEQUENCE_NUMBER}","approximateArrivalTimestamp":1700000000000,"subSequenceNumber":0,"action":"record"}],"millisBehindLatest":0}`,
      'child {"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}',
      'daemon {"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":null}',
      'child {"action":"status","responseFor":"processRecords"}',
      'daemon {"action":"leaseLost"}',
      'child {"action":"status","responseFor":"leaseLost"}',
    ]);
    assert.match(daemon.formatTranscript(), /^> \{"action":"initialize".*\n< \{"action":"status"/);
  });

  it("answers the KCL 1.x shutdown: TERMINATE needs SHARD_END, ZOMBIE refuses checkpoints", async () => {
    const daemon = FakeDaemon.inProcess({ processRecords() {} });
    await daemon.initialize();
    const terminate = await daemon.shutdown("TERMINATE");
    assert.equal(terminate.responseFor, "shutdown");
    assert.deepEqual(terminate.checkpoints.map((c) => c.error), [null]);
    assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();

    const zombie = scripted({ shutdown: [checkpointLine(null), "STATUS"] });
    await zombie.initialize();
    const lost = await zombie.shutdown("ZOMBIE");
    assert.deepEqual(lost.checkpoints.map((c) => c.error), ["ShutdownException"]);
    assert.deepEqual(lost.violations, []);
  });

  it("rejects overlapping actions and actions after the end", async () => {
    let release = () => {};
    const daemon = FakeDaemon.inProcess({
      processRecords: () => new Promise<void>((resolve) => (release = resolve)),
    });
    await daemon.initialize();
    const batch = daemon.processRecords([]);
    await assert.rejects(daemon.leaseLost(), (error: FakeDaemonError) => {
      assert.equal(error.kind, "busy");
      assert.match(error.message, /Cannot send leaseLost: processRecords is still in flight/);
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await batch;
    await daemon.leaseLost();
    await daemon.end();
    await assert.rejects(daemon.leaseLost(), { name: "FakeDaemonError", kind: "ended" });
  });

  it("reports a processor that throws as the child's exit, with its log lines", async () => {
    const daemon = FakeDaemon.inProcess({
      processRecords() {
        throw new Error("database unreachable");
      },
    });
    await daemon.initialize();
    await assert.rejects(daemon.processRecords(new RecordBuilder().build(["x"])), (error: FakeDaemonError) => {
      assert.equal(error.kind, "child-exited");
      assert.equal(error.action, "processRecords");
      assert.match(error.message, /exited with code 1/);
      assert.match(error.message, /database unreachable/);
      return true;
    });
  });
});

describe("FakeDaemon checkpoint rules (as the real checkpointer)", () => {
  const [r1, r2, r3] = new RecordBuilder().build(["a", "b", "c"]);
  const seq = (record: typeof r1) => record!.sequenceNumber;

  it("permits last checkpoint <= position <= last record of the batch during processRecords", async () => {
    const daemon = scripted({
      processRecords: [checkpointLine(seq(r2)), checkpointLine(seq(r1)), checkpointLine(seq(r3)), "STATUS"],
    });
    await daemon.initialize();
    const batch = await daemon.processRecords([r1!, r2!]);
    assert.deepEqual(batch.checkpoints.map((c) => c.error), [
      null,
      "IllegalArgumentException",
      "IllegalArgumentException",
    ]);
    assert.equal(daemon.checkpoint?.sequenceNumber, seq(r2));
  });

  it("re-checkpointing the stored value succeeds; sub-sequence numbers order within a sequence number", async () => {
    const daemon = scripted({
      processRecords: [checkpointLine(seq(r1), 0), checkpointLine(seq(r1), 0), checkpointLine(seq(r1), 1), "STATUS"],
    });
    await daemon.initialize();
    const batch = await daemon.processRecords([r1!]);
    assert.deepEqual(batch.checkpoints.map((c) => c.error), [null, null, "IllegalArgumentException"]);
  });

  it("keeps the largest permitted position through an empty batch", async () => {
    const daemon = scripted({ processRecords: [checkpointLine(null), "STATUS"] });
    await daemon.initialize();
    await daemon.processRecords([r1!]);
    const empty = await daemon.processRecords([]);
    assert.deepEqual(empty.checkpoints.map((c) => c.error), [null]);
    assert.equal(daemon.checkpoint?.sequenceNumber, seq(r1));
  });

  it("refuses checkpoints without a checkpointer and bad values", async () => {
    const daemon = scripted({
      initialize: [checkpointLine(null), "STATUS"],
      leaseLost: [checkpointLine(null), "STATUS"],
      processRecords: [
        checkpointLine("12abc"),
        checkpointLine(seq(r1), -1),
        `AWAIT {"action":"checkpoint","sequenceNumber":"${seq(r1)}"}`,
        "STATUS",
      ],
    });
    const init = await daemon.initialize({ sequenceNumber: "TRIM_HORIZON" });
    assert.deepEqual(init.checkpoints.map((c) => c.error), ["InvalidStateException"]);
    const batch = await daemon.processRecords([r1!]);
    assert.deepEqual(batch.checkpoints, [
      { sequenceNumber: "12abc", subSequenceNumber: 0, error: "IllegalArgumentException" },
      { sequenceNumber: seq(r1), subSequenceNumber: -1, error: "IllegalArgumentException" },
      { sequenceNumber: seq(r1), subSequenceNumber: null, error: null },
    ]);
    const lost = await daemon.leaseLost();
    assert.deepEqual(lost.checkpoints.map((c) => c.error), ["InvalidStateException"]);
    // The reply echoes the request's fields, null written as null.
    assert.ok(
      daemon.transcript.some((entry) =>
        entry.line === `{"action":"checkpoint","sequenceNumber":"${seq(r1)}","subSequenceNumber":null,"error":null}`
      ),
    );
  });

  it("resumes from the lease's checkpoint given to initialize", async () => {
    const daemon = scripted({ processRecords: [checkpointLine(seq(r1)), checkpointLine(seq(r3)), "STATUS"] });
    await daemon.initialize({ sequenceNumber: seq(r2), subSequenceNumber: 0 });
    assert.equal(daemon.checkpoint?.sequenceNumber, seq(r2));
    const batch = await daemon.processRecords([r3!]);
    assert.deepEqual(batch.checkpoints.map((c) => c.error), ["IllegalArgumentException", null]);
  });

  it("means the last record delivered by null during shutdownRequested, and SHARD_END during shardEnded", async () => {
    const daemon = scripted({
      shutdownRequested: [checkpointLine(null), "STATUS"],
      shardEnded: [checkpointLine(seq(r2)), checkpointLine(null), "STATUS"],
    });
    await daemon.initialize();
    await daemon.processRecords([r1!, r2!]);
    await daemon.shutdownRequested();
    assert.equal(daemon.checkpoint?.sequenceNumber, seq(r2));
    const end = await daemon.shardEnded();
    assert.deepEqual(end.checkpoints.map((c) => c.error), [null, null]);
    assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
    assert.deepEqual(end.violations, []);
  });

  it("executes checkpoints in order and answers each once", async () => {
    const daemon = scripted({
      processRecords: [
        `{"action":"checkpoint","sequenceNumber":"${seq(r1)}","subSequenceNumber":0}`,
        `{"action":"checkpoint","sequenceNumber":"${seq(r2)}","subSequenceNumber":0}`,
        `AWAIT {"action":"checkpoint","sequenceNumber":"${seq(r1)}","subSequenceNumber":0}`,
        "STATUS",
      ],
    });
    await daemon.initialize();
    const batch = await daemon.processRecords([r1!, r2!]);
    assert.deepEqual(batch.checkpoints.map((c) => [c.sequenceNumber, c.error]), [
      [seq(r1), null],
      [seq(r2), null],
      [seq(r1), "IllegalArgumentException"],
    ]);
    const replies = daemon.transcript.filter((entry) => entry.from === "daemon" && entry.line.includes('"error"'));
    assert.equal(replies.length, 3);
  });
});

describe("FakeDaemon hooks", () => {
  it("calls onCheckpoint when it answers a request, before the child reads the answer", async () => {
    const events: string[] = [];
    const records = new RecordBuilder().build(["a", "b"]);
    const daemon = FakeDaemon.inProcess({
      async processRecords({ records, checkpointer }) {
        events.push("request 1");
        await checkpointer.checkpoint(records[0]!).catch((error: { code: string }) => events.push(error.code));
        events.push("request 2");
        await checkpointer.checkpoint();
        events.push("stored");
      },
    }, {
      onCheckpoint: (c) =>
        events.push(`${c.action}: ${c.sequenceNumber} -> ${c.error ?? "stored"} at ${c.stored?.sequenceNumber}`),
    });
    await daemon.initialize();
    daemon.failNextCheckpoints(1, "InvalidStateException");
    await daemon.processRecords(records);
    assert.deepEqual(events, [
      "request 1",
      `processRecords: ${records[0]!.sequenceNumber} -> InvalidStateException at TRIM_HORIZON`,
      "InvalidStateException",
      "request 2",
      `processRecords: null -> stored at ${records[1]!.sequenceNumber}`,
      "stored",
    ]);
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
  });

  it("runs a Deno child with exactly the permissions its command names", {
    skip: process.versions.deno === undefined && "Deno only",
  }, async () => {
    // The real daemon grants nothing; Deno's node:child_process would grant all to its own executable path.
    const lines: string[] = [];
    const probe = repoPath("tests/support/testing/permission_probe.ts");
    for (const flags of [[], ["--allow-env"]]) {
      const daemon = await spawnReady(process.execPath, ["run", "--quiet", "--no-prompt", ...flags, probe], {
        onStderr: (line) => void lines.push(line),
      });
      assert.equal(await daemon.end(), 0);
    }
    assert.deepEqual(lines.filter((line) => line.startsWith("permissions")), [
      "permissions env=prompt read=prompt run=prompt write=prompt net=prompt",
      "permissions env=granted read=prompt run=prompt write=prompt net=prompt",
    ]);
  });

  it("gives a spawned child's pid, to signal it; an in-process session has none", async () => {
    const inProcess = FakeDaemon.inProcess({ processRecords() {} });
    assert.equal(inProcess.pid, undefined);
    assert.equal(await inProcess.end(), 0);
    // This child ignores stdin EOF: only the signal ends it.
    const [command, args] = childCommand(repoPath("tests/support/testing/lingering_child.ts"), ["-A"]);
    const daemon = await spawnReady(command, args);
    await daemon.initialize();
    assert.equal(typeof daemon.pid, "number");
    process.kill(daemon.pid!, "SIGKILL");
    assert.equal(await daemon.end(), null, "a child ended by a signal has no exit code");
  });
});
