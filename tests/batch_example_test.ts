import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { FakeDaemon, RecordBuilder } from "../src/testing/mod.ts";

const script = join(
  import.meta.dirname ?? new URL(".", import.meta.url).pathname,
  "..",
  "examples",
  "batch_consumer.ts",
);

function spawnExample(sinkDir: string, stderr: string[]): Promise<FakeDaemon> {
  const args = process.versions.deno ? ["run", "--quiet", "--no-prompt", "-A", script] : [script];
  return FakeDaemon.spawn(process.execPath, args, {
    env: { ...process.env, BATCH_SINK_DIR: sinkDir },
    onStderr: (line) => void stderr.push(line),
  });
}

describe("examples/batch_consumer.ts", () => {
  it("writes events per type to NDJSON files, then checkpoints SHARD_END", { timeout: 30_000 }, async () => {
    const sinkDir = await mkdtemp(join(tmpdir(), "kcl-batch-example-"));
    try {
      const stderr: string[] = [];
      const daemon = await spawnExample(sinkDir, stderr);
      assert.equal((await daemon.initialize()).responseFor, "initialize");
      const events = [
        { type: "orders", id: 1 },
        { type: "users", id: 2 },
        "not an event",
        { type: "orders", id: 3 },
      ];
      const records = new RecordBuilder({ firstSequenceNumber: "100", sequenceStep: 1 }).build([
        ...events.map((event) => JSON.stringify(event)),
        "{not json",
      ]);
      assert.equal((await daemon.processRecords(records)).responseFor, "processRecords");
      const end = await daemon.shardEnded();
      assert.equal(end.responseFor, "shardEnded");
      assert.deepEqual(end.checkpoints.at(-1), { sequenceNumber: null, subSequenceNumber: null, error: null });
      assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
      assert.equal(await daemon.end(), 0, stderr.join("\n"));
      daemon.assertNoViolations();
      assert.deepEqual((await readdir(sinkDir)).sort(), ["orders.ndjson", "users.ndjson"]);
      const rows = (await readFile(join(sinkDir, "orders.ndjson"), "utf8")).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.deepEqual(rows.map((row) => [row.seq, row.event.id]), [["100", 1], ["103", 3]]);
      assert.match(stderr.join("\n"), /Dropping a record that could not be mapped/);
    } finally {
      await rm(sinkDir, { recursive: true, force: true });
    }
  });
});
