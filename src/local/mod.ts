/**
 * The local daemon: runs any KCL MultiLangDaemon consumer command without
 * Java, AWS or DynamoDB — one child per shard, concurrently, driven exactly
 * as the real daemon drives them, with every line checked — and prints a
 * summary: records delivered and checkpointed per shard, batches, duration,
 * protocol violations.
 *
 * ```sh
 * deno run -A jsr:@kcl/multilang/local --shards 4 --records 5000 -- deno run consumer.ts
 * bun  node_modules/@kcl/multilang/src/local/mod.ts -- bun consumer.ts
 * node node_modules/@kcl/multilang/src/local/mod.ts -- node consumer.ts
 * ```
 *
 * Options: `--shards`, `--records`, `--input <ndjson>`, `--batch`,
 * `--end shard-end|lease-lost|shutdown`, `--checkpoints <file>` (resume),
 * `--fail-checkpoints NAME:N`, `--timeout-ms`, `--json`, `--quiet`; see
 * `--help`. Exit code 0 only when every shard ended as requested, every
 * delivered record is covered by a checkpoint and no child broke the
 * protocol; 1 otherwise; 2 for a usage error or a child command that does
 * not exist.
 *
 * @module
 */

import process from "node:process";
import type { RecordMessage } from "../protocol/messages.ts";
import type { CheckpointPosition } from "../testing/checkpoint_position.ts";
import { CheckpointWriter, loadCheckpoints } from "./_checkpoint_file.ts";
import { missingDenoPermissions } from "./_deno_permissions.ts";
import { localHelp, type LocalOptions, parseLocalArgs, UsageError } from "./_local_options.ts";
import { createProgress } from "./_local_progress.ts";
import { generateRecords, InputError, readInputRecords } from "./_record_source.ts";
import { resolveProgram } from "./_resolve_program.ts";
import { runShard } from "./_run_shard.ts";
import { shardRanges } from "./_shard_ranges.ts";
import { formatSummary, summarize } from "./local_summary.ts";
import type { ShardReport } from "./shard_report.ts";

export type { LocalSummary } from "./local_summary.ts";
export type { ShardReport } from "./shard_report.ts";

const versions = process.versions as Record<string, string | undefined>;
const runtime = versions.deno !== undefined ? "deno" : versions.bun !== undefined ? "bun" : "node";

/**
 * Runs the local daemon with `args` (the command line after the program's
 * name) and resolves with the exit code: 0 success, 1 a shard failed, a
 * record was left without a checkpoint or a child broke the protocol, 2 a
 * usage error or a child command that does not exist. Progress, the children's stderr and the summary go to stderr
 * (`--json`: the summary to stdout); `--help` goes to stdout. It never ends
 * the process, except on a second Ctrl+C.
 *
 * @example Run a consumer programmatically (an illustration: it starts child processes and prints a summary)
 * ```ts ignore
 * import { main } from "@kcl/multilang/local";
 * import process from "node:process";
 *
 * process.exitCode = await main(["--shards", "2", "--records", "100", "--", "deno", "run", "consumer.ts"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const log = (text: string): void => void process.stderr.write(text);
  let options: LocalOptions;
  try {
    options = parseLocalArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`error: ${error.message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(localHelp());
    return 0;
  }
  // The single permission check, before any work (see _deno_permissions.ts).
  const flags = missingDenoPermissions(options.checkpoints !== undefined);
  if (flags !== undefined) {
    log(
      `error: Cannot run the local daemon: Deno needs ${flags.join(" ")} (it spawns the children, reads PATH and ` +
        `the input, and writes the checkpoints), e.g. deno run --allow-run --allow-read --allow-write --allow-env ` +
        "jsr:@kcl/multilang/local ...\n",
    );
    return 2;
  }
  const ranges = shardRanges(options.shards);
  let records: RecordMessage[][];
  let resume: Map<string, CheckpointPosition>;
  try {
    records = options.input === undefined
      ? generateRecords(ranges, options.records)
      : await readInputRecords(options.input, ranges);
    resume = options.checkpoints === undefined ? new Map() : await loadCheckpoints(options.checkpoints);
  } catch (error) {
    log(`error: ${(error as Error).message}\n`);
    return error instanceof InputError ? 2 : 1;
  }
  const [program = "", ...childArgs] = options.command;
  const resolved = await resolveProgram(program, runtime, process.execPath, process.env.PATH);
  if ("error" in resolved) {
    log(`error: ${resolved.error}\n`);
    return 2;
  }
  const writer = options.checkpoints === undefined ? undefined : new CheckpointWriter(options.checkpoints, resume);
  const progress = createProgress(log, process.stderr.isTTY === true);
  let stopping = false;
  const onInterrupt = (): void => {
    // A second Ctrl+C quits now, as promised: the children see their stdin close and exit on their own.
    if (stopping) process.exit(130);
    stopping = true;
    progress.print(
      "Stopping: each shard gets shutdownRequested and leaseLost after its current batch (Ctrl+C again to quit now)",
    );
  };
  process.on("SIGINT", onInterrupt);
  const started = Date.now();
  let reports: ShardReport[];
  try {
    reports = await Promise.all(ranges.map((range, index) =>
      runShard(
        {
          shardId: range.shardId,
          records: records[index] ?? [],
          resumeFrom: resume.get(range.shardId),
          program: resolved.program,
          args: childArgs,
        },
        options,
        {
          stderr: (shardId, line) => {
            if (!options.quiet) progress.print(`${shardId} | ${line}`);
          },
          progress: (report) => progress.update(report),
          checkpoint: (shardId, position) => writer?.update(shardId, position),
          stopping: () => stopping,
        },
      )
    ));
  } finally {
    process.off("SIGINT", onInterrupt);
    progress.stop();
  }
  const summary = summarize(reports, options, Date.now() - started);
  try {
    await writer?.flush();
  } catch (error) {
    log(`error: ${(error as Error).message}\n`);
    return 1;
  }
  if (options.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  else log(formatSummary(summary));
  return summary.ok ? 0 : 1;
}

if (import.meta.main) {
  // The exit code, not process.exit(): queued output (a pipe on Node) is written before the process ends.
  process.exitCode = await main(process.argv.slice(2));
}
