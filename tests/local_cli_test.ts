/**
 * The local daemon CLI, run as a real process on the runtime running the
 * tests, driving real consumer children.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { formatProgress } from "../src/local/_local_progress.ts";
import type { ShardReport } from "../src/local/mod.ts";
import type { HostSignal } from "../src/runtime/cli.ts";
import { childCommand, repoPath, runtime } from "./support/child_command.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const repoRoot = repoPath(".");
const localCli = repoPath("src/local/mod.ts");
const recordingConsumer = repoPath("tests/support/testing/recording_consumer.ts");

/** `[command, args]` of the CLI with `options` on this runtime (Deno: every permission). */
function cliCommand(options: readonly string[]): [string, string[]] {
  return childCommand(localCli, ["-A"], options);
}

/** Runs `command`; `onStderr` sees its whole stderr so far after each chunk (to act on what it printed). */
function run(
  command: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  onStderr?: (stderr: string, child: ChildProcess) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI with `options` and the child `consumer` script on this runtime. */
function local(
  options: readonly string[],
  consumer: string,
  env: Record<string, string | undefined> = {},
  onStderr?: (stderr: string, child: ChildProcess) => void,
): Promise<Run> {
  const [execPath, cliArgs] = cliCommand(options);
  const [child, childArgs] = childCommand(consumer, ["-A"]);
  return run(execPath, [...cliArgs, "--", child, ...childArgs], env, onStderr);
}

interface Summary {
  ok: boolean;
  reasons: string[];
  total: { delivered: number; checkpointed: number; batches: number; violations: number };
  shards: { shardId: string; delivered: number; checkpointed: number; batches: number; ended: string | null }[];
}

let dir = "";
before(async () => {
  dir = await tempDir("kcl-local-");
});
after(removeTempDirs);

describe("local daemon CLI", () => {
  it("runs the demo consumer on 4 shards x 5000 records and prints the summary", async () => {
    const result = runtime === "deno"
      ? await run(process.execPath, ["task", "--quiet", "demo"])
      : await run(process.execPath, [
        localCli,
        "--shards",
        "4",
        "--records",
        "5000",
        "--",
        runtime,
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
      recordingConsumer,
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
      recordingConsumer,
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
      recordingConsumer,
    );
    assert.equal(throttled.code, 0, throttled.stderr);
    const refused = await local(
      ["--shards", "1", "--records", "10", "--fail-checkpoints", "InvalidStateException:1", "--quiet"],
      recordingConsumer,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /FAILED:/);
    assert.match(refused.stderr, /InvalidStateException/);
  });

  it("resumes a killed consumer from the persisted checkpoints without losing a record", async () => {
    const checkpoints = join(dir, "checkpoints.json");
    const log = join(dir, "resume.log");
    const options = ["--shards", "2", "--records", "1000", "--batch", "100", "--checkpoints", checkpoints, "--quiet"];
    const first = await local(options, recordingConsumer, {
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

    const second = await local([...options, "--json"], recordingConsumer, { RECORD_LOG: log });
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout) as Summary;
    assert.deepEqual(summary.shards.map((s) => [s.ended, s.delivered]), [["already-ended", 0], ["shard-end", 700]]);

    const lines = (await readFile(log, "utf8")).trim().split("\n");
    const unique = new Set(lines);
    assert.equal(unique.size, 2000, "every record was processed at least once");
    assert.equal(lines.length, 2100, "only the batch that was never checkpointed was processed twice");
  });

  it("stops after the current batch on SIGTERM as on Ctrl+C (SIGINT): summary printed, checkpoints written", async () => {
    // A consumer that says when it is in its first batch and finishes it only once RELEASE_FILE exists.
    const consumer = join(dir, "stoppable_consumer.ts");
    await writeFile(
      consumer,
      [
        'import { existsSync } from "node:fs";',
        'import process from "node:process";',
        `import { run } from ${JSON.stringify(pathToFileURL(repoPath("mod.ts")).href)};`,
        "let batches = 0;",
        "await run({",
        "  async processRecords({ checkpointer }) {",
        "    if (++batches === 1) {",
        '      process.stderr.write("in the first batch\\n");',
        '      while (!existsSync(process.env.RELEASE_FILE ?? "")) await new Promise((resolve) => setTimeout(resolve, 10));',
        "    }",
        "    await checkpointer.checkpoint();",
        "  },",
        '}, { logLevel: "warn" });',
        "",
      ].join("\n"),
    );
    const firstBatchEnd = (batchRanges(300, 100)[0] ?? "").split(" to ")[1]?.replace("/0", "");
    for (const signal of ["SIGTERM", "SIGINT"] as const satisfies readonly HostSignal[]) {
      const checkpoints = join(dir, `stopped-${signal}.json`);
      const release = join(dir, `release-${signal}`);
      let signalled = false;
      let released = false;
      // The signal once the child is in its first batch; the batch ends once the CLI said it is stopping.
      const result = await local(
        ["--shards", "1", "--records", "300", "--batch", "100", "--checkpoints", checkpoints, "--json"].concat(
          ["--timeout-ms", "600000"],
        ),
        consumer,
        { RELEASE_FILE: release },
        (stderr, child) => {
          if (!signalled && stderr.includes("in the first batch\n")) {
            signalled = true;
            // Not `child.kill()`: Deno's child_process would then report the CLI as killed, whatever its exit code.
            process.kill(child.pid ?? 0, signal);
          }
          if (!released && stderr.includes(`Stopping on ${signal}:`)) {
            released = true;
            void writeFile(release, "");
          }
        },
      );
      // Whatever happened, no child is left waiting for its release.
      await writeFile(release, "");
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `\\nStopping on ${signal}: each shard gets shutdownRequested and leaseLost after its current batch ` +
            `\\(${signal === "SIGINT" ? "Ctrl\\+C" : "SIGTERM"} again to quit now\\)\\n`,
        ),
      );
      const summary = JSON.parse(result.stdout) as Summary;
      assert.deepEqual(summary.reasons, ["shardId-000000000000: interrupted (Ctrl+C or SIGTERM) before its end"]);
      assert.deepEqual(summary.shards.map((s) => [s.ended, s.delivered, s.checkpointed, s.batches]), [
        ["interrupted", 100, 100, 1],
      ]);
      const stored = JSON.parse(await readFile(checkpoints, "utf8"));
      assert.deepEqual(stored.shards, {
        "shardId-000000000000": { sequenceNumber: firstBatchEnd, subSequenceNumber: 0 },
      });
    }
  });

  it("exits 2 for a --checkpoints file it cannot read, as for a bad --input", async () => {
    const cases: [string, RegExp][] = [
      ['{"shards": ', /: not JSON \(.*\); fix or delete the file\n$/],
      ['{"shards": {"shardId-000000000000": {"sequenceNumber": "soon"}}}', /: shard shardId-000000000000 needs/],
    ];
    for (const [text, message] of cases) {
      const checkpoints = join(dir, "bad-checkpoints.json");
      await writeFile(checkpoints, text);
      const result = await local(["--checkpoints", checkpoints], recordingConsumer);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^error: Cannot read the checkpoints file \S+bad-checkpoints\.json: /);
      assert.match(result.stderr, message);
    }
  });

  it("fails with the reason when a consumer breaks the protocol", async () => {
    const [command, args] = childCommand(repoPath("tests/support/testing/scripted_child.ts"), ["-A"], [
      JSON.stringify({ processRecords: ['{"action":"status","responseFor":"processRecords","extra":1}', "STATUS"] }),
    ]);
    const [execPath, cliArgs] = cliCommand(["--shards", "1", "--records", "5", "--quiet"]);
    const result = await run(execPath, [...cliArgs, "--", command, ...args]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[unknown-key\] during processRecords/);
    assert.match(result.stderr, /\[missing-shard-end-checkpoint\] during shardEnded/);
    assert.match(result.stderr, /5 of 5 delivered records are not covered by a checkpoint/);
  });

  it("exits 2 with a message on a usage error, and suggests the option meant", async () => {
    const [execPath, cliArgs] = cliCommand(["--shards", "zero", "--", "x"]);
    const result = await run(execPath, cliArgs);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "error: Option --shards needs a whole number from 1 to 1000, got `zero`\n");
    const missing = await run(...cliCommand(["--shards", "2"]));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /A child command is required after `--`/);
    const typo = await run(...cliCommand(["--shard", "2", "--", "x"]));
    assert.equal(typo.code, 2);
    assert.equal(typo.stderr, "error: Unknown option `--shard`; did you mean `--shards`?\n");
    const forgotten = await run(...cliCommand(["--shards", "2", "deno", "run", "consumer.ts"]));
    assert.equal(forgotten.code, 2);
    assert.match(forgotten.stderr, /Unknown argument `deno`; put the child command after `--`/);
    const flagValue = await run(...cliCommand(["--json=yes", "--", "x"]));
    assert.equal(flagValue.code, 2);
    assert.match(flagValue.stderr, /Option --json takes no value/);
    const noValue = await run(...cliCommand(["--input", "--", "x"]));
    assert.equal(noValue.code, 2);
    assert.match(noValue.stderr, /Option --input needs a value/);
    // A string option never takes the next option as its value (`--checkpoints --quiet` once wrote a file named --quiet).
    const nextOption = await run(...cliCommand(["--checkpoints", "--quiet", "--", "x"]));
    assert.equal(nextOption.code, 2);
    assert.equal(
      nextOption.stderr,
      "error: Option --checkpoints needs a value, but the option `--quiet` follows it; give the value first, " +
        "or write `--checkpoints=--quiet` if the value starts with a dash\n",
    );
  });

  it("says once which Deno permissions are missing", { skip: runtime !== "deno" && "Deno only" }, async () => {
    // Named by an equivalent path: Deno grants every permission to a `deno run` of its own executable path.
    const deno = `${dirname(process.execPath)}${sep}.${sep}${basename(process.execPath)}`;
    const result = await run(deno, ["run", "--quiet", "--no-prompt", localCli, "--", "x"]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "error: Cannot run the local daemon: Deno has not granted run access (to start the consumer children), env " +
        "access (to read PATH and pass the environment to the children) and read access (to find the consumer " +
        "command and read --input and --checkpoints): run again with --allow-env --allow-read --allow-run\n",
    );
  });

  it("prints --help on stdout and exits 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const result = await run(...cliCommand([flag]));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /^Usage: kcl-local \[options\] -- <child command\.\.\.>\n/);
      assert.match(result.stdout, /--shards <n>/);
    }
  });

  it("exits 0 when the reader of its stdout went away (kcl-local --help | head -1)", async () => {
    const [command, args] = cliCommand(["--help"]);
    const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // before the child writes: its write fails with EPIPE
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(stderr, "");
    assert.equal(code, 0);
  });

  it("reports a consumer command that does not exist once, with what to check", async () => {
    const result = await run(...cliCommand(["--shards", "3", "--", "kcl-no-such-consumer", "--flag"]));
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "error: Cannot start the consumer: no program `kcl-no-such-consumer` on PATH; check the command after `--` " +
        "(its spelling, that it is installed, that its folder is on PATH), or give its path\n",
    );
    // Without options the `--` may be left out (Bun drops it when it directly follows the script's name).
    for (const args of [["--", "./kcl/no-such-consumer.sh"], ["./kcl/no-such-consumer.sh", "--flag"]]) {
      const path = await run(...cliCommand(args));
      assert.equal(path.code, 2);
      assert.match(
        path.stderr,
        /^error: Cannot start the consumer: no executable file at \S+kcl\/no-such-consumer\.sh; /,
      );
    }
  });

  it("shows a failing consumer's error once: its stderr as it came, then the batch and its range", async () => {
    const env = { CRASH_SHARD: "shardId-000000000000", CRASH_AT_BATCH: "2", THROW: "1" };
    const options = ["--shards", "1", "--records", "300", "--batch", "100"];
    const [, second] = batchRanges(300, 100);
    const result = await local(options, recordingConsumer, env);
    assert.equal(result.code, 1);
    const [before, failed = ""] = result.stderr.split("\nFAILED:\n");
    // The stack reaches stderr once, with the child's own lines; the summary points at it instead of repeating it.
    assert.equal(count(result.stderr, "recording_consumer.ts:"), 1, result.stderr);
    assert.match(before ?? "", /shardId-000000000000 \| .*Cannot store the record: disk full/);
    assert.doesNotMatch(failed, /disk full|"data"|Last lines exchanged/);
    assert.match(failed, /shardId-000000000000: Cannot complete processRecords: the child exited with code 1/);
    assert.match(failed, new RegExp(`\\n    batch 2: 100 records, ${second}\\n    the child's stderr is above\\n`));

    // With --quiet the summary is the only place for the child's last words.
    const quiet = await local([...options, "--quiet"], recordingConsumer, env);
    assert.equal(quiet.code, 1);
    assert.equal(count(quiet.stderr, "recording_consumer.ts:"), 1, quiet.stderr);
    assert.match(quiet.stderr.split("\nFAILED:\n")[1] ?? "", /last stderr lines of the child:\n +\| .*disk full/);
  });

  it("counts the batch a child failed on in its shard's records and batches, as the failure names it", async () => {
    const env = { CRASH_SHARD: "shardId-000000000000", CRASH_AT_BATCH: "2", THROW: "1" };
    const options = ["--shards", "1", "--records", "300", "--batch", "100", "--quiet"];
    const result = await local(options, recordingConsumer, env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\n {4}batch 2: 100 records, /);
    assert.match(result.stderr, /\nshardId-000000000000 +200 +100 +2 +\S+ s +failed +0\n/);
    const json = await local([...options, "--json"], recordingConsumer, env);
    const summary = JSON.parse(json.stdout) as Summary;
    assert.deepEqual(
      summary.shards.map(({ delivered, checkpointed, batches }) => ({ delivered, checkpointed, batches })),
      [{ delivered: 200, checkpointed: 100, batches: 2 }],
    );
  });

  it("exits 2 for an --input file that is missing, a folder or empty, saying which", async () => {
    const empty = join(dir, "empty.ndjson");
    await writeFile(empty, "\n\n");
    const cases: [string, string][] = [
      [join(dir, "missing.ndjson"), "no such file"],
      [dir, "it is a folder"],
    ];
    for (const [input, reason] of cases) {
      const result = await local(["--input", input], recordingConsumer);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr, `error: Cannot read --input ${input}: ${reason}\n`);
    }
    const result = await local(["--input", empty], recordingConsumer);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^error: Cannot use --input \S+empty\.ndjson: it holds no records; write one JSON record a line/,
    );
    assert.doesNotMatch(result.stderr + result.stdout, /OK:/);
  });

  it("rejects --input lines with invalid base64 or with both data and dataBase64, naming the line", async () => {
    const cases: [string, RegExp][] = [
      ['{"partitionKey":"k","dataBase64":"not base64!"}', /line 2: "dataBase64" must be standard, padded base64/],
      ['{"partitionKey":"k","dataBase64":"aGVsbG8"}', /line 2: "dataBase64" must be standard, padded base64/],
      ['{"partitionKey":"k","data":"x","dataBase64":"eA=="}', /line 2: a record has "data" or "dataBase64", not both/],
    ];
    for (const [line, message] of cases) {
      const input = join(dir, "bad.ndjson");
      await writeFile(input, `{"partitionKey":"k","data":"fine"}\n${line}\n`);
      const result = await local(["--input", input], recordingConsumer);
      assert.equal(result.code, 2, line);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^error: Cannot read --input \S+bad\.ndjson line 2: /);
    }
  });
});

describe("deno task demo:batch", () => {
  it(
    "starts from an empty sink folder, and says where it writes",
    { skip: runtime !== "deno" && "a Deno task" },
    async () => {
      const sink = repoPath(".tmp/batch-sink");
      const stale = "a line of an earlier run";
      await mkdir(sink, { recursive: true });
      await writeFile(join(sink, "click.ndjson"), `${stale}\n`);
      try {
        const result = await run(process.execPath, ["task", "--quiet", "demo:batch"]);
        assert.equal(result.code, 0, result.stderr);
        const files = await readdir(sink);
        const lines = (await Promise.all(files.map((file) => readFile(join(sink, file), "utf8")))).join("").trim()
          .split("\n");
        assert.equal(lines.length, 10_000, "one line per generated event: 2 shards x 5000");
        assert.ok(!lines.includes(stale));
        assert.match(result.stderr, /Appending events to one NDJSON file per event type .*batch-sink/);
      } finally {
        await rm(sink, { recursive: true, force: true });
      }
    },
  );
});

describe("local daemon progress line", () => {
  const report = (shardId: string, delivered: number, checkpointed: number) =>
    ({ shardId, delivered, checkpointed }) as ShardReport;

  it("shows shard:delivered/checkpointed only once a shard started", () => {
    assert.equal(formatProgress([], 1000), "[local 1.0 s] delivered 0, checkpointed 0, 0 records/s");
    assert.equal(
      formatProgress([report("shardId-000000000001", 500, 0), report("shardId-000000000000", 1000, 500)], 2000),
      "[local 2.0 s] delivered 1500, checkpointed 500, 750 records/s | shard:delivered/checkpointed 0:1000/500 1:500/0",
    );
  });
});

/** How many times `part` occurs in `text`. */
function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The `first/0 to last/0` sequence range of each batch of the CLI's generated records of shard 0. */
function batchRanges(records: number, batch: number): string[] {
  const first = 49590338271490256608559692538361571095921575989136588898n;
  const ranges: string[] = [];
  for (let i = 0; i < records; i += batch) {
    ranges.push(`${first + BigInt(i) * 1000n}/0 to ${first + BigInt(Math.min(i + batch, records) - 1) * 1000n}/0`);
  }
  return ranges;
}
