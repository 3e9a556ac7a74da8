/**
 * End-to-end: the example consumer and a noisy fixture run as real child
 * processes on the runtime running the tests, driven over real pipes.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childCommand, repoPath } from "./support/child_command.ts";
import { initializeMessage, processRecordsMessage, ScriptedDaemon, wireRecord } from "./support/scripted_daemon.ts";

const NULL_CHECKPOINT = '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}';
const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;

function spawnExample(): ScriptedDaemon {
  const [command, args] = childCommand(repoPath("examples/consumer.ts"));
  return ScriptedDaemon.spawn(command, args);
}

const event = (type: string, n: number) => JSON.stringify({ type, n });

describe("examples/consumer.ts as a real child", () => {
  it("completes initialize -> batches -> shardEnded with the exact transcript and exits 0", async () => {
    const daemon = spawnExample();
    await daemon.action(initializeMessage());
    await daemon.action(
      processRecordsMessage([wireRecord("11", event("click", 1)), wireRecord("12", event("view", 2))]),
    );
    await daemon.action(processRecordsMessage([wireRecord("13", "not json")], 5));
    await daemon.action({ action: "shardEnded" });
    assert.equal(await daemon.end(), 0);
    const reply = `{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":null}`;
    assert.deepEqual(daemon.transcript.filter((line) => !line.startsWith('> {"action":"processRecords"')), [
      `> ${JSON.stringify(initializeMessage())}`,
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
    // User console.log went to stderr, with the counts the consumer computed.
    assert.match(daemon.stderr, /shardId-000000000000: 2 records, 0 ms behind/);
    assert.match(daemon.stderr, /skipping record 13: payload is not a JSON event/);
    assert.match(daemon.stderr, /shard ended after 3 records/);
  });

  it("checkpoints at shutdownRequested, answers leaseLost, and exits 0 on stdin EOF", async () => {
    const daemon = spawnExample();
    await daemon.action(
      initializeMessage("shardId-000000000007", "49590338271490256608559692538361571095921575989136588898"),
    );
    const batch = await daemon.action(processRecordsMessage([wireRecord("21", event("a", 1))]));
    assert.deepEqual(batch.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null }]);
    const shutdown = await daemon.action({ action: "shutdownRequested" });
    assert.deepEqual(shutdown.lines, [NULL_CHECKPOINT, status("shutdownRequested")]);
    const lost = await daemon.action({ action: "leaseLost" });
    assert.deepEqual(lost.lines, [status("leaseLost")]);
    assert.equal(await daemon.end(), 0);
    assert.match(daemon.stderr, /shardId-000000000007: shutdown requested after 1 records/);
    assert.match(daemon.stderr, /lease lost after 1 records/);
  });

  it("retries a throttled checkpoint and still answers with one status", async () => {
    const daemon = spawnExample();
    await daemon.action(initializeMessage());
    let calls = 0;
    const outcome = await daemon.action(
      processRecordsMessage([wireRecord("31", event("a", 1))]),
      () => (++calls === 1 ? "ThrottlingException" : null),
    );
    assert.deepEqual(outcome.lines, [NULL_CHECKPOINT, NULL_CHECKPOINT, status("processRecords")]);
    await daemon.action({ action: "leaseLost" });
    assert.equal(await daemon.end(), 0);
    assert.match(daemon.stderr, /WARN kcl: Checkpoint failed; retrying .*code=ThrottlingException/);
  });

  it("exits 1 without a status when the daemon sends a malformed action", async () => {
    const daemon = spawnExample();
    await daemon.action(initializeMessage());
    await daemon.send('{"action":"processRecords","records":"nope","millisBehindLatest":0}');
    assert.equal(await daemon.nextLine(), null);
    assert.equal(await daemon.finished(), 1);
    assert.match(daemon.stderr, /Cannot parse daemon message: processRecords.records must be an array, got "nope"/);
  });
});

describe("the stdout guard on a real child", () => {
  it("keeps every user write off stdout, even inside 10,000-record batches, and exits on EOF despite timers", async () => {
    const [command, args] = childCommand(repoPath("tests/fixtures/noisy_consumer.ts"));
    const daemon = ScriptedDaemon.spawn(command, args);
    await daemon.action(initializeMessage());
    const payload = "x".repeat(1500);
    for (let batch = 0; batch < 2; batch++) {
      const records = Array.from({ length: 10_000 }, (_, i) => wireRecord(String(batch * 10_000 + i + 1), payload));
      const outcome = await daemon.action(processRecordsMessage(records));
      assert.deepEqual(outcome.lines, [NULL_CHECKPOINT, status("processRecords")]);
    }
    await daemon.action({ action: "leaseLost" });
    assert.equal(await daemon.end(), 0);
    // Everything the child wrote to stdout was a protocol line (the daemon's transcript), and the noise is on stderr.
    assert.ok(daemon.transcript.every((line) => !line.includes("noise")));
    for (const tag of ["initialize", "processRecords 10000 15000000", "leaseLost"]) {
      for (const way of ["log", "info", "debug", "trace", "count", "group", "process.stdout.write"]) {
        assert.match(daemon.stderr, new RegExp(`noise ${way} ${tag}`), `missing "${way}" noise for ${tag} on stderr`);
      }
    }
    assert.match(daemon.stderr, /table/);
  });
});
