/**
 * Nothing said before the end is lost: what a child logs right before its
 * session ends reaches the parent over a real pipe, on every runtime, and a
 * parent that never reads stderr cannot keep a finished child alive.
 */

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeDaemon, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath } from "./support/child_command.ts";

// About 3 MB: a parent that reads continuously drains it in milliseconds, far inside the 5 s exit flush bound.
const LINES = 3000;
const fixture = repoPath("tests/fixtures/log_burst_consumer.ts");

async function start(): Promise<{ daemon: FakeDaemon; stderr: string[] }> {
  const stderr: string[] = [];
  const [command, args] = childCommand(fixture);
  const daemon = await FakeDaemon.spawn(command, args, { onStderr: (line) => void stderr.push(line) });
  return { daemon, stderr };
}

describe("a child's last output over a real pipe", () => {
  it("delivers thousands of lines logged just before stdin closes, the last one included", async () => {
    const { daemon, stderr } = await start();
    await daemon.initialize();
    await daemon.processRecords(new RecordBuilder().build([`lease-lost ${LINES}`]));
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    const burst = stderr.filter((line) => line.startsWith("leaseLost "));
    assert.equal(burst.length, LINES + 1, `${burst.length} of ${LINES + 1} lines arrived`);
    assert.equal(burst.at(-1), "leaseLost done");
  });

  it("delivers a failing batch's error and sequence range after a log burst, and exits 1", async () => {
    const { daemon, stderr } = await start();
    await daemon.initialize();
    const records = new RecordBuilder().build([`throw ${LINES}`]);
    await assert.rejects(daemon.processRecords(records));
    assert.equal(await daemon.end(), 1);
    const burst = stderr.filter((line) => line.startsWith("batch "));
    assert.equal(burst.length, LINES + 1, `${burst.length} of ${LINES + 1} lines arrived`);
    const position = `${records[0]!.sequenceNumber}/0`;
    const failure = stderr.findIndex((line) => line.includes(`Cannot process records ${position}..${position}`));
    assert.ok(failure > stderr.indexOf("batch done"), "the failure is reported after the burst");
    assert.match(stderr.slice(failure).join("\n"), /boom after the burst/);
    assert.match(stderr.slice(failure).join("\n"), /^\s+at /m, "with the stack, one frame per line");
  });

  it("exits on its own when the parent never reads its stderr", { timeout: 120_000 }, async () => {
    // stderr is never read: the child's burst fills the pipe and stays queued.
    // The bound (5 s) applies; the test's own limit only has to hold on a saturated machine.
    const { child, replies, exitCode } = await playOverRawPipes(() => {});
    assert.equal(exitCode, 0);
    assert.deepEqual(replies, STATUSES);
    child.stderr.destroy();
  });

  it(
    "ends cleanly, exit code 0, when the parent closed its stderr (a daemon that died)",
    { timeout: 120_000 },
    async () => {
      // Every later write to stderr fails with EPIPE: logging must not break the session or its exit.
      const { replies, exitCode } = await playOverRawPipes((child) => child.stderr.destroy());
      assert.equal(exitCode, 0);
      assert.deepEqual(replies, STATUSES);
    },
  );
});

const STATUSES = [
  '{"action":"status","responseFor":"initialize"}',
  '{"action":"status","responseFor":"processRecords"}',
  '{"action":"status","responseFor":"leaseLost"}',
];

/**
 * Plays initialize, a batch whose leaseLost logs a burst, leaseLost and EOF over the child's raw pipes, stderr
 * left to `onStart`; resolves with the replies and the exit code.
 */
async function playOverRawPipes(
  onStart: (child: ChildProcessWithoutNullStreams) => void,
): Promise<{ child: ChildProcessWithoutNullStreams; replies: string[]; exitCode: number | null }> {
  const [command, args] = childCommand(fixture);
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  onStart(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const replies: string[] = [];
  let wake = () => {};
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    replies.push(...text.split("\n").filter((line) => line !== ""));
    wake();
  });
  const untilReplies = (count: number) =>
    new Promise<void>((resolve) => {
      wake = () => replies.length >= count && resolve();
      wake();
    });
  const [record] = new RecordBuilder().build([`lease-lost ${LINES}`]);
  child.stdin.write(
    '{"action":"initialize","shardId":"shardId-0","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}\n',
  );
  await untilReplies(1);
  child.stdin.write(JSON.stringify({ action: "processRecords", records: [record], millisBehindLatest: 0 }) + "\n");
  await untilReplies(2);
  child.stdin.write('{"action":"leaseLost"}\n');
  await untilReplies(3);
  child.stdin.end();
  return { child, replies, exitCode: await exited };
}
