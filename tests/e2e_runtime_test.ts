/**
 * End-to-end: process-level behaviour of `run()` on the runtime running the
 * tests (signals), and the consumer compiled to one executable by Bun.
 */

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeDaemon, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath, runtime } from "./support/child_command.ts";
import { withChildLines } from "./support/daemon_lines.ts";

const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;
const NULL_CHECKPOINT = '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}';

/** Plays a full shard life against `daemon` and checks every reply. */
async function playShardLife(daemon: FakeDaemon): Promise<void> {
  assert.deepEqual((await withChildLines(daemon, (d) => d.initialize())).lines, [status("initialize")]);
  const batch = await withChildLines(daemon, (d) => d.processRecords(new RecordBuilder().build([{ type: "x" }])));
  assert.deepEqual(batch.lines, [NULL_CHECKPOINT, status("processRecords")]);
  const end = await withChildLines(daemon, (d) => d.shardEnded());
  assert.deepEqual(end.lines, [NULL_CHECKPOINT, status("shardEnded")]);
  assert.equal(await daemon.end(), 0);
  daemon.assertNoViolations();
}

describe("run() in a real child", () => {
  it("ignores SIGINT and SIGTERM: the daemon drives shutdown", async () => {
    const stderr: string[] = [];
    const [command, args] = childCommand(repoPath("examples/consumer.ts"));
    const daemon = await FakeDaemon.spawn(command, args, { onStderr: (line) => void stderr.push(line) });
    await daemon.initialize();
    assert.ok(daemon.pid !== undefined, "a spawned child has a pid");
    // process.kill, not ChildProcess.kill: Deno's sends one signal only, then reports the child as killed.
    process.kill(daemon.pid, "SIGINT");
    process.kill(daemon.pid, "SIGTERM");
    const batch = await withChildLines(daemon, (d) => d.processRecords(new RecordBuilder().build([{ type: "x" }])));
    assert.deepEqual(batch.lines, [NULL_CHECKPOINT, status("processRecords")]);
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    daemon.assertNoViolations();
    assert.match(stderr.join("\n"), /Ignoring SIGINT: the daemon drives shutdown/);
    assert.match(stderr.join("\n"), /Ignoring SIGTERM: the daemon drives shutdown/);
  });
});

const bun = runtime === "bun" ? process.execPath : repoPath(".ci/tools/node_modules/.bin/bun");

describe("the consumer as one executable (bun build --compile)", () => {
  it(
    "completes a shard life",
    { skip: existsSync(bun) ? false : `no Bun at ${bun}: run deno task tools` },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "kcl-compile-"));
      try {
        const executable = join(dir, "consumer");
        await promisify(execFile)(bun, [
          "build",
          "--compile",
          repoPath("examples/consumer.ts"),
          "--outfile",
          executable,
        ]);
        await playShardLife(await FakeDaemon.spawn(executable, []));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
