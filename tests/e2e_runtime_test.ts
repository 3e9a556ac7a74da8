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
import { childCommand, repoPath, runtime } from "./support/child_command.ts";
import { initializeMessage, processRecordsMessage, ScriptedDaemon, wireRecord } from "./support/scripted_daemon.ts";

const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;
const NULL_CHECKPOINT = '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}';

/** Plays a full shard life against `daemon` and checks every reply. */
async function playShardLife(daemon: ScriptedDaemon): Promise<void> {
  assert.deepEqual((await daemon.action(initializeMessage())).lines, [status("initialize")]);
  const batch = await daemon.action(processRecordsMessage([wireRecord("5", '{"type":"x"}')]));
  assert.deepEqual(batch.lines, [NULL_CHECKPOINT, status("processRecords")]);
  assert.deepEqual((await daemon.action({ action: "shardEnded" })).lines, [NULL_CHECKPOINT, status("shardEnded")]);
  assert.equal(await daemon.end(), 0);
}

describe("run() in a real child", () => {
  it("ignores SIGINT and SIGTERM: the daemon drives shutdown", async () => {
    const [command, args] = childCommand(repoPath("examples/consumer.ts"));
    const daemon = ScriptedDaemon.spawn(command, args);
    await daemon.action(initializeMessage());
    daemon.kill("SIGINT");
    daemon.kill("SIGTERM");
    const batch = await daemon.action(processRecordsMessage([wireRecord("1", '{"type":"x"}')]));
    assert.deepEqual(batch.lines, [NULL_CHECKPOINT, status("processRecords")]);
    await daemon.action({ action: "leaseLost" });
    assert.equal(await daemon.end(), 0);
    assert.match(daemon.stderr, /Ignoring SIGINT: the daemon drives shutdown/);
    assert.match(daemon.stderr, /Ignoring SIGTERM: the daemon drives shutdown/);
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
        await playShardLife(ScriptedDaemon.spawn(executable, []));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
