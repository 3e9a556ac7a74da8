/**
 * The local daemon CLI, run as a real process on the runtime running the
 * tests, driving real consumer children.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { fixture, isDeno, repoRoot, runtimeName, scriptCommand } from "./support/testing/runtime.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const localCli = join(repoRoot, "src/local/mod.ts");

function run(command: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI with `options` and the child `consumer` script on this runtime. */
function local(
  options: readonly string[],
  consumer: string,
  env: Record<string, string | undefined> = {},
): Promise<Run> {
  const [execPath, cliArgs] = scriptCommand(localCli, options);
  const [childCommand, childArgs] = scriptCommand(consumer);
  return run(execPath, [...cliArgs, "--", childCommand, ...childArgs], env);
}

interface Summary {
  ok: boolean;
  reasons: string[];
  total: { delivered: number; checkpointed: number; batches: number; violations: number };
  shards: { shardId: string; delivered: number; checkpointed: number; batches: number; ended: string | null }[];
}

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kcl-local-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("local daemon CLI", () => {
  it("runs the demo consumer on 4 shards x 5000 records and prints the summary", async () => {
    const result = isDeno ? await run(process.execPath, ["task", "--quiet", "demo"]) : await run(process.execPath, [
      localCli,
      "--shards",
      "4",
      "--records",
      "5000",
      "--",
      runtimeName,
      "examples/consumer.ts",
    ], {
      // The child is named after this runtime, which is not on PATH: it must run as process.execPath.
      PATH: "",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /shard\s+records\s+checkpointed\s+batches\s+duration\s+end\s+violations/);
    for (let i = 0; i < 4; i++) {
      assert.match(
        result.stderr,
        new RegExp(`shardId-00000000000${i}\\s+5000\\s+5000\\s+10\\s+\\S+ s\\s+shard-end\\s+0`),
      );
    }
    assert.match(result.stderr, /total\s+20000\s+20000\s+40/);
    assert.match(result.stderr, /OK: 20000 records delivered/);
  });

  it("prints the summary as JSON on stdout with --json, and honours --batch and --end", async () => {
    const result = await local(
      ["--shards", "3", "--records", "250", "--batch", "100", "--end", "shutdown", "--json", "--quiet"],
      fixture("recording_consumer.ts"),
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.ok, true);
    assert.deepEqual(summary.total, { delivered: 750, checkpointed: 750, batches: 9, violations: 0 });
    assert.deepEqual(summary.shards.map((s) => [s.shardId, s.batches, s.ended]), [
      ["shardId-000000000000", 3, "shutdown"],
      ["shardId-000000000001", 3, "shutdown"],
      ["shardId-000000000002", 3, "shutdown"],
    ]);
  });

  it("spreads --input records over shards by the MD5 of the partition key", async () => {
    const input = join(dir, "input.ndjson");
    const log = join(dir, "input.log");
    const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}`);
    await writeFile(
      input,
      keys.map((key, i) =>
        JSON.stringify(
          i % 2 === 0 ? { partitionKey: key, data: `event ${i}` } : { partitionKey: key, dataBase64: btoa("b") },
        )
      ).join("\n") + "\n",
    );
    const result = await local(
      ["--shards", "3", "--input", input, "--json", "--quiet"],
      fixture("recording_consumer.ts"),
      {
        RECORD_LOG: log,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    // Independent computation: a new 3-shard stream splits the 128-bit space evenly.
    const expected = [0, 0, 0];
    for (const key of keys) {
      const hash = BigInt(`0x${createHash("md5").update(key).digest("hex")}`);
      const shard = [1n, 2n].filter((i) => hash >= (i * (1n << 128n)) / 3n).length;
      expected[shard]!++;
    }
    assert.deepEqual(summary.shards.map((s) => s.delivered), expected);
    assert.equal((await readFile(log, "utf8")).trim().split("\n").length, 40);
  });

  it("fails the first N checkpoints of each shard with --fail-checkpoints", async () => {
    const throttled = await local(
      ["--shards", "1", "--records", "10", "--fail-checkpoints", "ThrottlingException:2", "--json", "--quiet"],
      fixture("recording_consumer.ts"),
    );
    assert.equal(throttled.code, 0, throttled.stderr);
    const refused = await local(
      ["--shards", "1", "--records", "10", "--fail-checkpoints", "InvalidStateException:1", "--quiet"],
      fixture("recording_consumer.ts"),
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /FAILED:/);
    assert.match(refused.stderr, /InvalidStateException/);
  });

  it("resumes a killed consumer from the persisted checkpoints without losing a record", async () => {
    const checkpoints = join(dir, "checkpoints.json");
    const log = join(dir, "resume.log");
    const options = ["--shards", "2", "--records", "1000", "--batch", "100", "--checkpoints", checkpoints, "--quiet"];
    const first = await local(options, fixture("recording_consumer.ts"), {
      RECORD_LOG: log,
      CRASH_SHARD: "shardId-000000000001",
      CRASH_AT_BATCH: "4",
    });
    assert.equal(first.code, 1);
    assert.match(
      first.stderr,
      /shardId-000000000001: Cannot complete processRecords: the child was killed by a signal/,
    );
    const stored = JSON.parse(await readFile(checkpoints, "utf8"));
    assert.equal(stored.shards["shardId-000000000000"].sequenceNumber, "SHARD_END");
    assert.match(stored.shards["shardId-000000000001"].sequenceNumber, /^[0-9]+$/);

    const second = await local([...options, "--json"], fixture("recording_consumer.ts"), { RECORD_LOG: log });
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout) as Summary;
    assert.deepEqual(summary.shards.map((s) => [s.ended, s.delivered]), [["already-ended", 0], ["shard-end", 700]]);

    const lines = (await readFile(log, "utf8")).trim().split("\n");
    const unique = new Set(lines);
    assert.equal(unique.size, 2000, "every record was processed at least once");
    assert.equal(lines.length, 2100, "only the batch that was never checkpointed was processed twice");
  });

  it("fails with the reason when a consumer breaks the protocol", async () => {
    const [command, args] = scriptCommand(fixture("scripted_child.ts"), [
      JSON.stringify({ processRecords: ['{"action":"status","responseFor":"processRecords","extra":1}', "STATUS"] }),
    ]);
    const [execPath, cliArgs] = scriptCommand(localCli, ["--shards", "1", "--records", "5", "--quiet"]);
    const result = await run(execPath, [...cliArgs, "--", command, ...args]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[unknown-key\] during processRecords/);
    assert.match(result.stderr, /\[missing-shard-end-checkpoint\] during shardEnded/);
    assert.match(result.stderr, /5 of 5 delivered records are not covered by a checkpoint/);
  });

  it("exits 2 with a message on a usage error", async () => {
    const [execPath, cliArgs] = scriptCommand(localCli, ["--shards", "zero", "--", "x"]);
    const result = await run(execPath, cliArgs);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Option --shards needs a whole number from 1 to 1000, got `zero`/);
    const missing = await run(execPath, scriptCommand(localCli, ["--shards", "2"])[1]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /A child command is required after `--`/);
  });
});
