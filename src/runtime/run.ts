/**
 * `run()`: binds a record processor to this process's stdio and runs it to
 * the end of the shard's life.
 *
 * @module
 */

import { KclProcess, type KclProcessOptions } from "../session/kcl_process.ts";
import { createLogger, isLogLevel, type LogFunction, type LogLevel } from "../session/logger.ts";
import type { RecordProcessor } from "../session/record_processor.ts";
import { getHost } from "./host.ts";

/**
 * Options of {@linkcode run}: the session's policies, and logging.
 *
 * @example Quieter logs and patient retries
 * ```ts
 * import type { RunOptions } from "@kcl/multilang";
 *
 * const options: RunOptions = {
 *   logLevel: "warn",
 *   checkpointRetry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 },
 *   processRecordsRetry: { attempts: 3 },
 * };
 * // await run(processor, options);
 * void options;
 * ```
 */
export interface RunOptions extends Omit<KclProcessOptions, "input" | "output" | "log"> {
  /**
   * The least severe level logged to stderr.
   *
   * @default {the `KCL_LOG_LEVEL` environment variable, else "info"}
   */
  readonly logLevel?: LogLevel | "silent";
  /** Replaces the stderr logger entirely. */
  readonly log?: LogFunction;
}

/**
 * Runs `processor` as this process's KCL record processor, then exits.
 *
 * - stdout carries only protocol lines: from here on, user `console.log` /
 *   `info` / `debug` / `dir` / `table` / `trace` / `count` / `group` /
 *   `time*`, `process.stdout.write`, `Deno.stdout.write` / `writeSync` /
 *   `writable`, `Bun.write(Bun.stdout, …)` and `Bun.stdout.writer()` go
 *   to stderr;
 * - SIGINT and SIGTERM are ignored (logged): the daemon drives shutdown;
 * - when the daemon closes stdin the process exits 0, whatever timers user
 *   code left behind; on a failure (see the README) it exits 1 without
 *   answering, so the daemon restarts the shard from its last checkpoint.
 *
 * @example A consumer that checkpoints every batch
 * ```ts ignore
 * import { run } from "@kcl/multilang";
 *
 * await run({
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) console.log(record.partitionKey, record.text());
 *     await checkpointer.checkpoint();
 *   },
 * });
 * ```
 */
export async function run(processor: RecordProcessor, options: RunOptions = {}): Promise<never> {
  const host = await getHost();
  // Capture the real stdio before the guard redirects stdout writers.
  const input = host.stdin();
  const output = host.stdout();
  host.guardStdout();
  const envLevel = host.env("KCL_LOG_LEVEL");
  const level = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "info");
  const log = options.log ?? createLogger((line) => host.writeStderr(line), { level });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    host.onSignal(signal, () => log("info", `Ignoring ${signal}: the daemon drives shutdown by closing stdin`));
  }
  const { logLevel: _, log: __, ...policies } = options;
  const result = await new KclProcess(processor, { ...policies, input, output, log }).run();
  return host.exit(result.exitCode);
}
