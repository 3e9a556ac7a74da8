/**
 * The local daemon: runs any KCL MultiLangDaemon consumer command without
 * Java, AWS or DynamoDB — one child per shard, concurrently, driven exactly
 * as the real daemon drives them, with every line checked — and prints a
 * summary: records delivered and checkpointed per shard, batches, duration,
 * protocol violations.
 *
 * ```sh
 * deno run -A jsr:@kcl/multilang/local --shards 4 --records 5000 -- deno run consumer.ts
 * bunx --bun kcl-local --shards 4 -- bun consumer.ts    # the npm package's bin
 * npx kcl-local --shards 4 -- node consumer.mjs         # the npm package's bin
 * ```
 *
 * Options: `--shards`, `--records`, `--input <ndjson>`, `--batch`,
 * `--end shard-end|lease-lost|shutdown`, `--checkpoints <file>` (resume),
 * `--fail-checkpoints NAME:N`, `--timeout-ms`, `--json`, `--quiet`; see
 * `--help`. Exit code 0 only when every shard ended as requested, every
 * delivered record is covered by a checkpoint and no child broke the protocol.
 *
 * @example Run a consumer programmatically
 * ```ts ignore
 * import { main } from "@kcl/multilang/local";
 *
 * const code = await main(["--shards", "2", "--records", "100", "--quiet", "--", "deno", "run", "consumer.ts"]);
 * if (code !== 0) throw new Error(`local run failed with exit code ${code}`);
 * ```
 *
 * @module
 */

import { getHost } from "../runtime/host.ts";
import { type CheckpointPosition } from "../testing/checkpoint_ledger.ts";
import { CheckpointWriter, loadCheckpoints } from "./checkpoint_file.ts";
import { createProgress } from "./local_progress.ts";
import { localHelp, type LocalOptions, parseLocalArgs, UsageError } from "./local_options.ts";
import { formatSummary, type LocalSummary, summarize } from "./local_summary.ts";
import { generateRecords, InputError, readInputRecords } from "./record_source.ts";
import { resolveProgram } from "./resolve_program.ts";
import { runShard, type ShardReport } from "./run_shard.ts";
import { shardRanges } from "./shard_ranges.ts";

export { localHelp, type LocalOptions, parseLocalArgs, type ShardEnd, UsageError } from "./local_options.ts";
export type { LocalSummary } from "./local_summary.ts";
export type { ShardReport } from "./run_shard.ts";

/**
 * What the local daemon needs from the runtime (the runtime adapters provide it).
 *
 * @example Capture the help and usage errors
 * ```ts
 * import { type LocalHost, main } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * let stderr = "";
 * const host: LocalHost = {
 *   runtime: "node",
 *   execPath: "node",
 *   env: () => undefined,
 *   stdout: () => new WritableStream(),
 *   writeStderr: (text) => void (stderr += text),
 *   stderrIsTerminal: () => false,
 *   onSignal: () => {},
 *   exit: (code) => {
 *     throw new Error(`Unexpected exit with code ${code}`);
 *   },
 * };
 * assert.equal(await main(["--help"], host), 0);
 * assert.match(stderr, /^Usage: local /);
 * assert.equal(await main(["--shards", "many", "--", "node", "consumer.ts"], host), 2);
 * assert.match(stderr, /error: Option --shards needs a whole number/);
 * ```
 */
export interface LocalHost {
  /** Which runtime runs the CLI (a child named after it falls back to `execPath`). */
  readonly runtime: "deno" | "bun" | "node";
  /** This runtime's executable. */
  readonly execPath: string;
  /** An environment variable (`PATH`), or `undefined`. */
  env(name: string): string | undefined;
  /** Standard output, for `--json`. */
  stdout(): WritableStream<Uint8Array>;
  /** Writes progress, children's stderr and the summary. */
  writeStderr(text: string): void;
  /** Whether stderr is a terminal (live progress line). */
  stderrIsTerminal(): boolean;
  /** Installs a Ctrl+C handler. */
  onSignal(signal: "SIGINT", handler: () => void): void;
  /** Ends the process at once (a second Ctrl+C). */
  exit(code: number): never;
}

/**
 * Runs the local daemon with `args` on `host` (default: this runtime's) and
 * resolves with the exit code: 0 success, 1 a shard failed, a record was
 * left without a checkpoint or a child broke the protocol, 2 a usage error.
 *
 * @example Print the help
 * ```ts ignore
 * import { main } from "@kcl/multilang/local";
 * await main(["--help"]);
 * ```
 */
export async function main(args: readonly string[], host?: LocalHost): Promise<number> {
  const io: LocalHost = host ?? await getHost();
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
    log(localHelp());
    return 0;
  }
  const ranges = shardRanges(options.shards);
  let records;
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
  const writer = options.checkpoints === undefined ? undefined : new CheckpointWriter(options.checkpoints, resume);
  const progress = createProgress(log, io.stderrIsTerminal());
  let stopping = false;
  io.onSignal("SIGINT", () => {
    if (stopping) io.exit(130);
    stopping = true;
    progress.print(
      "Stopping: each shard gets shutdownRequested and leaseLost after its current batch (Ctrl+C again to quit now)",
    );
  });
  const started = Date.now();
  const reports: ShardReport[] = await Promise.all(ranges.map((range, index) =>
    runShard(
      {
        shardId: range.shardId,
        records: records[index] ?? [],
        resumeFrom: resume.get(range.shardId),
        program: resolved,
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
  progress.stop();
  const summary = summarize(reports, options, Date.now() - started);
  try {
    await writer?.flush();
  } catch (error) {
    log(`error: ${(error as Error).message}\n`);
    return 1;
  }
  if (options.json) await printJson(io, summary);
  else log(formatSummary(summary));
  return summary.ok ? 0 : 1;
}

async function printJson(io: LocalHost, summary: LocalSummary): Promise<void> {
  const writer = io.stdout().getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(summary, null, 2) + "\n"));
  writer.releaseLock();
}

if (import.meta.main) {
  const host = await getHost();
  host.exit(await main(host.args, host));
}
