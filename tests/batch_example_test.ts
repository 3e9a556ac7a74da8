import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { initializeMessage, processRecordsMessage, ScriptedDaemon, wireRecord } from "./support/scripted_daemon.ts";

const script = join(
  import.meta.dirname ?? new URL(".", import.meta.url).pathname,
  "..",
  "examples",
  "batch_consumer.ts",
);

function spawnExample(sinkDir: string): ScriptedDaemon {
  const args = process.versions.deno ? ["run", "--quiet", "--no-prompt", "-A", script] : [script];
  return ScriptedDaemon.spawn(
    process.execPath,
    args,
    { ...process.env, BATCH_SINK_DIR: sinkDir } as Record<string, string>,
  );
}

describe("examples/batch_consumer.ts", () => {
  it("writes events per table to NDJSON files, then checkpoints SHARD_END", { timeout: 30_000 }, async () => {
    const sinkDir = await mkdtemp(join(tmpdir(), "kcl-batch-example-"));
    try {
      const daemon = spawnExample(sinkDir);
      assert.equal((await daemon.action(initializeMessage())).responseFor, "initialize");
      const events = [
        { table: "orders", id: 1 },
        { table: "users", id: 2 },
        "not an event",
        { table: "orders", id: 3 },
      ];
      const records = events.map((event, index) => wireRecord(String(100 + index), JSON.stringify(event)));
      records.push(wireRecord("104", "{not json"));
      assert.equal((await daemon.action(processRecordsMessage(records))).responseFor, "processRecords");
      const end = await daemon.action({ action: "shardEnded" });
      assert.equal(end.responseFor, "shardEnded");
      assert.deepEqual(end.checkpoints.at(-1), { sequenceNumber: null, subSequenceNumber: null });
      assert.equal(await daemon.end(), 0, daemon.stderr);
      assert.deepEqual((await readdir(sinkDir)).sort(), ["orders.ndjson", "users.ndjson"]);
      const rows = (await readFile(join(sinkDir, "orders.ndjson"), "utf8")).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.deepEqual(rows.map((row) => [row.seq, row.event.id]), [["100", 1], ["103", 3]]);
      assert.match(daemon.stderr, /Dropping a record that could not be mapped/);
    } finally {
      await rm(sinkDir, { recursive: true, force: true });
    }
  });
});
