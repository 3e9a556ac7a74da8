/**
 * Every violation kind, timeouts and crashes, detected on a real child
 * process that writes exactly what each test scripts.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeDaemon, FakeDaemonError, RecordBuilder, type ViolationKind } from "../src/testing/mod.ts";
import { execFile } from "node:child_process";
import { basename, dirname } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { childCommand, repoPath, runtime } from "./support/child_command.ts";
import type { Script } from "./support/testing/scripted_child.ts";
import { spawnReady } from "./support/testing/spawn_ready.ts";

function scriptedCommand(script: Script): [string, string[]] {
  return childCommand(repoPath("tests/support/testing/scripted_child.ts"), ["-A"], [JSON.stringify(script)]);
}

/** The scripted child under the default time limits, which leave seconds to spare on a saturated machine. */
function spawnScripted(script: Script): Promise<FakeDaemon> {
  const [command, args] = scriptedCommand(script);
  return FakeDaemon.spawn(command, args);
}

const [record] = new RecordBuilder().build(["x"]);
const run = promisify(execFile);

describe("FakeDaemon violations (real child)", () => {
  const skipped: [ViolationKind, string][] = [
    ["invalid-json", "hello from console.log"],
    ["not-a-message", "[1,2,3]"],
    ["unexpected-action", '{"action":"initialize"}'],
    ["unknown-key", '{"action":"status","responseFor":"processRecords","ok":true}'],
    ["unknown-key", '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"note":"x"}'],
    ["invalid-field", '{"action":"checkpoint","sequenceNumber":49590338271490256,"subSequenceNumber":0}'],
    ["invalid-field", '{"action":"status","responseFor":7}'],
  ];

  it("reports every line the real daemon would skip, with the line, and keeps waiting for the status", async () => {
    const daemon = await spawnScripted({ processRecords: ["", ...skipped.map(([, line]) => line), "STATUS"] });
    await daemon.initialize();
    const batch = await daemon.processRecords([record!]);
    assert.equal(batch.responseFor, "processRecords");
    assert.deepEqual(batch.checkpoints, []);
    assert.deepEqual(
      batch.violations.map((v) => [v.kind, v.line, v.action]),
      skipped.map(([kind, line]) => [
        kind,
        line,
        "processRecords",
      ]),
    );
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    assert.throws(() => daemon.assertNoViolations(), (error: FakeDaemonError) => {
      assert.equal(error.kind, "violations");
      assert.match(error.message, /broke the protocol 7 time\(s\)/);
      assert.match(error.message, /\[unknown-key\] during processRecords: .*"ok".*\n\s+line: \{"action":"status"/);
      return true;
    });
  });

  it("reports a status for the wrong action", async () => {
    const daemon = await spawnScripted({ leaseLost: ['{"action":"status","responseFor":"shutdown"}'] });
    await daemon.initialize();
    const lost = await daemon.leaseLost();
    assert.equal(lost.responseFor, "shutdown");
    assert.deepEqual(lost.violations.map((v) => v.kind), ["wrong-response-for"]);
    assert.match(lost.violations[0]!.message, /answered leaseLost with a status for "shutdown"/);
    await daemon.end();
  });

  it("reports a checkpoint written after the status, and executes it during the next action as the real daemon", async () => {
    const late = `{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}`;
    // One write, as a child that writes its status and a checkpoint back to back.
    const daemon = await spawnScripted({
      initialize: [`{"action":"status","responseFor":"initialize"}\n${late}`],
      checkpoint: ["HANG"],
    });
    await daemon.initialize();
    // The late null checkpoint commits the next batch before the child processed it: data loss on a real daemon.
    const batch = await daemon.processRecords([record!]);
    assert.deepEqual(batch.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null, error: null }]);
    const outside = daemon.violations.filter((v) => v.kind === "line-outside-action");
    assert.equal(outside.length, 1);
    assert.equal(outside[0]!.line, late);
    assert.equal(daemon.checkpoint?.sequenceNumber, record!.sequenceNumber);
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
  });

  it("reports a shard end without a SHARD_END checkpoint", async () => {
    const daemon = await spawnScripted({
      shardEnded: [
        `AWAIT {"action":"checkpoint","sequenceNumber":"${record!.sequenceNumber}","subSequenceNumber":0}`,
        "STATUS",
      ],
    });
    await daemon.initialize();
    await daemon.processRecords([record!]);
    const end = await daemon.shardEnded();
    assert.deepEqual(end.checkpoints.map((c) => c.error), [null]);
    assert.deepEqual(end.violations.map((v) => [v.kind, v.line]), [["missing-shard-end-checkpoint", null]]);
    assert.match(end.violations[0]!.message, /without a successful SHARD_END checkpoint/);
    await daemon.end();
  });

  it("fails a silent child after the timeout with the action, the elapsed time and its last stderr lines", async () => {
    // The child is running before the timed action: the 300 ms measure its silence, not its start-up.
    const [command, args] = scriptedCommand({
      start: ["STDERR connecting to the database", "STDERR ready"],
      initialize: ["HANG"],
    });
    const daemon = await spawnReady(command, args, { timeoutMs: 300 });
    await assert.rejects(daemon.initialize(), (error: FakeDaemonError) => {
      assert.equal(error.kind, "timeout");
      assert.equal(error.action, "initialize");
      assert.match(error.message, /^Cannot complete initialize: the child wrote no line for 300 ms \(\d+ ms after/);
      assert.match(error.message, /\| connecting to the database/);
      return true;
    });
    await assert.rejects(daemon.leaseLost(), { kind: "ended" });
  });

  it("fails when the child exits before answering", async () => {
    const daemon = await spawnScripted({ processRecords: ["STDERR giving up", "EXIT 3"] });
    await daemon.initialize();
    await assert.rejects(daemon.processRecords([record!]), (error: FakeDaemonError) => {
      assert.equal(error.kind, "child-exited");
      assert.match(error.message, /exited with code 3/);
      assert.match(error.message, /\| giving up/);
      return true;
    });
  });

  it("keeps the child's error message and its cause in the failure when stack frames follow them", async () => {
    const [command, args] = childCommand(repoPath("tests/fixtures/json_consumer.ts"));
    const daemon = await FakeDaemon.spawn(command, args);
    await daemon.initialize();
    await assert.rejects(daemon.processRecords(new RecordBuilder().build(["plain text"])), (error: FakeDaemonError) => {
      assert.equal(error.kind, "child-exited");
      // The log line, the error and its cause: each more than 10 lines before the end, behind their stack frames.
      const lines = error.message.split("\n");
      const logLine = lines.findIndex((line) =>
        /^ {2}\| .* ERROR kcl: Cannot process records .*Cannot store record/.test(line)
      );
      const cause = lines.findIndex((line) =>
        /^ {2}\| .*caused by: SyntaxError: Cannot parse record .* as JSON/.test(line)
      );
      assert.ok(logLine !== -1 && cause > logLine, error.message);
      assert.ok(lines.some((line) => /^ {2}\| … \(\d+ lines? left out\)$/.test(line)), error.message);
      // The last 10 lines as they came: the cause's stack frames.
      const shown = lines.filter((line) => line.startsWith("  | ")).slice(-10);
      assert.deepEqual(shown.map((line) => line.slice(4)), daemon.stderr.slice(-10));
      return true;
    });
  });

  it("fails when the child does not exit after its stdin closed", async () => {
    // Only the exit is timed: the child is running before its stdin closes.
    const [command, args] = childCommand(repoPath("tests/support/testing/lingering_child.ts"), ["-A"]);
    const daemon = await spawnReady(command, args, { timeoutMs: 500 });
    await assert.rejects(daemon.end(), (error: FakeDaemonError) => {
      assert.equal(error.kind, "exit-timeout");
      assert.match(error.message, /did not exit within 500 ms after its stdin closed, and was stopped/);
      assert.match(error.message, /\| ready/);
      return true;
    });
  });

  it("names a command that cannot start", async () => {
    const daemon = await FakeDaemon.spawn("kcl-no-such-program-here", []);
    await assert.rejects(daemon.initialize(), (error: FakeDaemonError) => {
      assert.equal(error.kind, "child-exited");
      assert.match(
        error.message,
        /Cannot start the child `kcl-no-such-program-here`: no program `kcl-no-such-program-here` was found; check its spelling, that it is installed and on PATH/,
      );
      return true;
    });
  });
});

describe("FakeDaemon.spawn on Deno without permissions", () => {
  // The Deno that runs the test file, or the pinned one when Bun or Node runs it; as `dir/./deno`, which Deno's
  // node:child_process does not recognise as itself (it would grant its own `deno run` every permission).
  const deno = runtime === "deno"
    ? `${dirname(process.execPath)}/./${basename(process.execPath)}`
    : repoPath(".ci/tools/node_modules/.bin/./deno");
  const script = repoPath("tests/support/testing/spawn_refused.ts");

  for (const granted of [[], ["--allow-env"], ["--allow-run"]]) {
    it(`names the flags to add in one line (granted: ${granted.join(" ") || "none"})`, async () => {
      const { stdout } = await run(deno, ["run", "--quiet", "--no-prompt", ...granted, script, deno]);
      assert.match(
        stdout,
        /^(Cannot send initialize: )?Cannot start the child `[^`]*deno --version`: Deno refused it \(Requires (env|run) access[^\n]*\); FakeDaemon\.spawn needs --allow-run --allow-env: run the tests with them, e\.g\. deno test --allow-run --allow-env\n$/,
      );
    });
  }

  it("starts the child with --allow-run --allow-env", async () => {
    const { stdout } = await run(deno, ["run", "--quiet", "--no-prompt", "--allow-run", "--allow-env", script, deno]);
    // `deno --version` answers no action: the child exits before answering, which is not a refusal.
    assert.match(stdout, /^Cannot complete initialize: the child exited with code 0/);
  });
});
