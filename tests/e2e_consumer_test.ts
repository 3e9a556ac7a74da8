/**
 * End-to-end: the example consumer and a noisy fixture run as real child
 * processes on the runtime running the tests, driven over real pipes by the
 * FakeDaemon.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeDaemon, FakeDaemonError, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath, runtime } from "./support/child_command.ts";
import { transcriptLines, withChildLines } from "./support/daemon_lines.ts";

const NULL_CHECKPOINT = '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}';
const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;

/** The example consumer, and every line it writes to stderr (its logs and console output). */
async function spawnExample(): Promise<{ daemon: FakeDaemon; stderr: () => string }> {
  const lines: string[] = [];
  const [command, args] = childCommand(repoPath("examples/consumer.ts"));
  const daemon = await FakeDaemon.spawn(command, args, { onStderr: (line) => void lines.push(line) });
  return { daemon, stderr: () => lines.join("\n") };
}

/** Records at sequence numbers `first`, `first + 1`, … (the consumer logs them by number). */
const recordsFrom = (first: number) => new RecordBuilder({ firstSequenceNumber: String(first), sequenceStep: 1 });

describe("examples/consumer.ts as a real child", () => {
  it("completes initialize -> batches -> shardEnded with the exact transcript and exits 0", async () => {
    const { daemon, stderr } = await spawnExample();
    const records = recordsFrom(11);
    await daemon.initialize();
    await daemon.processRecords(records.build([{ type: "click", n: 1 }, { type: "view", n: 2 }]));
    await daemon.processRecords(records.build(["not json", "{}", "not json either"]), { millisBehindLatest: 5 });
    await daemon.shardEnded();
    assert.equal(await daemon.end(), 0);
    const reply = `{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":null}`;
    assert.deepEqual(transcriptLines(daemon).filter((line) => !line.startsWith('> {"action":"processRecords"')), [
      '> {"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
      `< ${status("initialize")}`,
      `< ${NULL_CHECKPOINT}`,
      `> ${reply}`,
      `< ${status("processRecords")}`,
      `< ${NULL_CHECKPOINT}`,
      `> ${reply}`,
      `< ${status("processRecords")}`,
      `> {"action":"shardEnded"}`,
      `< ${NULL_CHECKPOINT}`,
      `> ${reply}`,
      `< ${status("shardEnded")}`,
    ]);
    assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
    daemon.assertNoViolations();
    // User console.log went to stderr, with the counts the consumer computed.
    assert.match(stderr(), /shardId-000000000000: 2 records, 0 ms behind/);
    // Records that are not events are counted: one line for the batch, not one per record.
    assert.deepEqual(stderr().split("\n").filter((line) => line.includes("skipped")), [
      "shardId-000000000000: skipped 3 of 3 records in 13..15: not JSON events",
    ]);
    assert.match(stderr(), /shard ended after 5 records/);
  });

  it("checkpoints at shutdownRequested, answers leaseLost, and exits 0 on stdin EOF", async () => {
    const { daemon, stderr } = await spawnExample();
    await daemon.initialize({
      shardId: "shardId-000000000007",
      sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
    });
    // The next record after the lease's checkpoint.
    const [record] = new RecordBuilder({
      firstSequenceNumber: "49590338271490256608559692538361571095921575989136589898",
    })
      .build([{ type: "a", n: 1 }]);
    const batch = await daemon.processRecords([record!]);
    assert.deepEqual(batch.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null, error: null }]);
    const shutdown = await withChildLines(daemon, (d) => d.shutdownRequested());
    assert.deepEqual(shutdown.lines, [NULL_CHECKPOINT, status("shutdownRequested")]);
    assert.equal(daemon.checkpoint?.sequenceNumber, record!.sequenceNumber);
    const lost = await withChildLines(daemon, (d) => d.leaseLost());
    assert.deepEqual(lost.lines, [status("leaseLost")]);
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();
    assert.match(stderr(), /shardId-000000000007: shutdown requested after 1 records/);
    assert.match(stderr(), /lease lost after 1 records/);
  });

  it("retries a throttled checkpoint and still answers with one status", async () => {
    const { daemon, stderr } = await spawnExample();
    await daemon.initialize();
    daemon.failNextCheckpoints(1, "ThrottlingException");
    const outcome = await withChildLines(daemon, (d) => d.processRecords(recordsFrom(31).build([{ type: "a" }])));
    assert.deepEqual(outcome.lines, [NULL_CHECKPOINT, NULL_CHECKPOINT, status("processRecords")]);
    assert.deepEqual(outcome.checkpoints.map((c) => c.error), ["ThrottlingException", null]);
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();
    assert.match(stderr(), /WARN kcl: Checkpoint failed; retrying .*code=ThrottlingException/);
  });

  it("exits 1 without a status when the daemon sends a malformed action", async () => {
    const { daemon, stderr } = await spawnExample();
    await daemon.initialize();
    const malformed = { action: "processRecords", records: "nope", millisBehindLatest: 0 };
    await assert.rejects(daemon.action(malformed), (error: FakeDaemonError) => {
      assert.equal(error.kind, "child-exited");
      assert.match(error.message, /the child exited with code 1, and it closed its stdout before answering/);
      return true;
    });
    // The malformed line went out exactly as given, and nothing came back after it.
    assert.equal(transcriptLines(daemon).at(-1), `> ${JSON.stringify(malformed)}`);
    assert.equal(await daemon.end(), 1);
    assert.match(stderr(), /Cannot parse daemon message: processRecords.records must be an array, got "nope"/);
  });
});

describe("the stdout guard on a real child", () => {
  it("keeps every user write off stdout, even inside 10,000-record batches, and exits on EOF despite timers", async () => {
    const stderrLines: string[] = [];
    const [command, args] = childCommand(repoPath("tests/fixtures/noisy_consumer.ts"));
    const daemon = await FakeDaemon.spawn(command, args, { onStderr: (line) => void stderrLines.push(line) });
    await daemon.initialize();
    // Small sequence numbers: the fixture logs a record's text at every multiple of 500, inside the batch.
    const records = recordsFrom(1);
    const payload = "x".repeat(1500);
    for (let batch = 0; batch < 2; batch++) {
      const outcome = await withChildLines(
        daemon,
        (d) => d.processRecords(records.build(Array.from({ length: 10_000 }, () => payload))),
      );
      assert.deepEqual(outcome.lines, [NULL_CHECKPOINT, status("processRecords")]);
    }
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    // Everything the child wrote to stdout was a protocol line, and the noise is on stderr.
    daemon.assertNoViolations();
    assert.ok(daemon.transcript.every((entry) => !entry.line.includes("noise")));
    const stderr = stderrLines.join("\n");
    for (const tag of ["initialize", "processRecords 10000 15000000", "leaseLost"]) {
      const runtimeWays = runtime === "deno"
        ? ["Deno.stdout.writeSync", "Deno.stdout.write", "Deno.stdout.writable"]
        : runtime === "bun"
        ? ["Bun.write", "Bun.stdout.writer"]
        : [];
      for (const way of ["log", "info", "debug", "trace", "count", "group", "process.stdout.write", ...runtimeWays]) {
        assert.match(stderr, new RegExp(`noise ${way} ${tag}`), `missing "${way}" noise for ${tag} on stderr`);
      }
      assert.match(stderr, new RegExp(`^  noise grouped ${tag}$`, "m"), "a format string, indented in a group");
    }
    assert.match(stderr, /table/);
  });
});
