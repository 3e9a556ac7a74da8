/**
 * The local daemon: runs any KCL MultiLangDaemon consumer command without
 * Java, AWS or DynamoDB — one child per shard, concurrently, driven exactly
 * as the real daemon drives them, with every line checked — and prints a
 * summary: records delivered and checkpointed per shard, batches, duration,
 * protocol violations.
 *
 * ```sh
 * npx kcl-local --shards 4 -- node consumer.mjs         # the npm package's bin
 * bunx --bun kcl-local --shards 4 -- bun consumer.ts    # the npm package's bin
 * deno run --allow-run --allow-read --allow-env npm:@kcl/multilang/local --shards 4 --records 5000 -- deno run consumer.ts
 * deno run --allow-run --allow-read --allow-env jsr:@kcl/multilang/local --shards 4 --records 5000 -- deno run consumer.ts
 * ```
 *
 * Options: `--shards`, `--records`, `--input <ndjson>`, `--batch`,
 * `--end shard-end|lease-lost|shutdown`, `--checkpoints <file>` (resume),
 * `--fail-checkpoints NAME:N`, `--timeout-ms`, `--json`, `--quiet`; see
 * `--help`. Exit code 0 only when every shard ended as requested, every
 * delivered record is covered by a checkpoint and no child broke the
 * protocol; 1 otherwise; 2 for a usage error (an option, an `--input` file
 * that cannot be read or holds no records, a `--checkpoints` file that
 * cannot be read), a child command that does not exist or, on Deno, a
 * missing permission flag. Ctrl+C (SIGINT) or SIGTERM
 * stops every shard after its current batch and still prints the summary;
 * a second one quits at once.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";
import type { CheckpointPosition } from "../testing/checkpoint_position.ts";
import { CheckpointWriter, loadCheckpoints } from "./_checkpoint_file.ts";
import { catchSignals, type CaughtSignals, CLI_SIGNALS, signalExitCode } from "../cli/catch_signals.ts";
import {
  type CliProcess,
  cliProcess,
  formatMissingPermissions,
  missingPermissions,
  type PermissionNeed,
} from "../runtime/cli.ts";
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

/**
 * Runs the local daemon with `args` (the command line after the program's
 * name) and resolves with the exit code: 0 success, 1 a shard failed, a
 * record was left without a checkpoint or a child broke the protocol, 2 a
 * usage error (an option, an `--input` file that cannot be read or holds
 * no records, a `--checkpoints` file that cannot be read), a child command
 * that does not exist or, on Deno, a missing permission flag. Progress, the children's stderr and the summary
 * go to stderr (`--json`: the summary to stdout); `--help` goes to stdout.
 * A first SIGINT (Ctrl+C) or SIGTERM stops each shard after its current
 * batch (the summary is printed and the checkpoints written as usual). It
 * ends the process itself only on a second one of these signals (exit code
 * 130 for SIGINT, 143 for SIGTERM), or on one that arrives before the shards
 * start.
 *
 * @example Run a consumer programmatically (an illustration: it starts child processes and prints a summary)
 * ```ts ignore
 * import { main } from "@kcl/multilang/local";
 *
 * const code = await main(["--shards", "2", "--records", "100", "--", "deno", "run", "consumer.ts"]);
 * if (code !== 0) console.error(`the local daemon found problems (exit code ${code})`);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const io = cliProcess();
  const signals = catchSignals(io, "the shards");
  try {
    return await run(args, io, signals);
  } finally {
    signals.remove();
  }
}

async function run(args: readonly string[], io: CliProcess, signals: CaughtSignals): Promise<number> {
  const log = (text: string): void => io.writeStderr(text);
  let options: LocalOptions;
  try {
    options = parseLocalArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`error: ${error.message}\n`);
    return 2;
  }
  if (options.help) {
    await io.writeStdout(localHelp());
    return 0;
  }
  // Checked once, before any work: otherwise every shard's child would fail on its own.
  const missing = missingPermissions(permissionsFor(options));
  if (missing.length > 0) {
    log(`error: Cannot run the local daemon: ${formatMissingPermissions(missing)}\n`);
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
  const resolved = await resolveProgram(program, io.runtime, io.execPath, io.env("PATH"));
  if ("error" in resolved) {
    log(`error: ${resolved.error}\n`);
    return 2;
  }
  const writer = options.checkpoints === undefined ? undefined : new CheckpointWriter(options.checkpoints, resume);
  const progress = createProgress(log, io.stderrIsTerminal);
  let stopping = false;
  // A supervisor's SIGTERM stops the run as Ctrl+C does: the summary is still printed, the checkpoints still written.
  for (const signal of CLI_SIGNALS) {
    signals.route(signal, () => {
      // A second signal quits now, as promised: the children see their stdin close and exit on their own.
      if (stopping) io.exitNow(signalExitCode(signal));
      stopping = true;
      progress.print(
        `Stopping on ${signal}: each shard gets shutdownRequested and leaseLost after its current batch ` +
          `(${signal === "SIGINT" ? "Ctrl+C" : "SIGTERM"} again to quit now)`,
      );
    });
  }
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
    progress.stop();
  }
  const summary = summarize(reports, options, Date.now() - started);
  try {
    await writer?.flush();
  } catch (error) {
    log(`error: ${(error as Error).message}\n`);
    return 1;
  }
  if (options.json) await io.writeStdout(JSON.stringify(summary, null, 2) + "\n");
  else log(formatSummary(summary));
  return summary.ok ? 0 : 1;
}

/** What a run needs on Deno: children, PATH and the input, and the checkpoints file when one is kept. */
function permissionsFor(options: LocalOptions): PermissionNeed[] {
  const needs: PermissionNeed[] = [
    { name: "run", why: "to start the consumer children" },
    { name: "env", why: "to read PATH and pass the environment to the children" },
    { name: "read", why: "to find the consumer command and read --input and --checkpoints" },
  ];
  if (options.checkpoints !== undefined) needs.push({ name: "write", why: "to write the checkpoints file" });
  return needs;
}

if (import.meta.main) {
  const io = cliProcess();
  // The exit code, not an exit: queued output (a pipe on Node) is written before the process ends.
  io.setExitCode(await main(io.args));
}
