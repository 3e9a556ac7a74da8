/**
 * `run()`: binds a record processor to this process's stdio and runs it to
 * the end of the shard's life.
 *
 * @module
 */

import { KclProcess, type KclProcessOptions } from "../session/kcl_process.ts";
import { createLogger, isLogLevel, type LogFunction, type LogLevel } from "../session/logger.ts";
import type { RecordProcessor } from "../session/record_processor.ts";
import type { SessionTransport } from "../session/transport.ts";
import { getHost } from "./_get_host.ts";

/**
 * Options of {@linkcode run}: the session's policies, and logging.
 *
 * @example Quieter logs and patient retries
 * ```ts
 * import type { RunOptions } from "@kcl/multilang";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const options: RunOptions = {
 *   logLevel: "warn",
 *   checkpointRetry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 },
 *   processRecordsRetry: { attempts: 3, baseDelayMs: 10 },
 * };
 * // Under the daemon: await run(processor, options). The same policies, driven by a FakeDaemon in process:
 * const { logLevel, ...policies } = options;
 * assert.equal(logLevel, "warn");
 * let calls = 0;
 * const processor = {
 *   processRecords() {
 *     if (++calls < 3) throw new Error("database busy");
 *   },
 * };
 * const daemon = FakeDaemon.inProcess(processor, { session: { ...policies, log: () => {} } });
 * await daemon.initialize();
 * const reply = await daemon.processRecords(new RecordBuilder().build(["a"]));
 * assert.equal(reply.responseFor, "processRecords"); // answered: the third attempt with the same batch succeeded
 * assert.equal(calls, 3);
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * ```
 */
export interface RunOptions extends Omit<KclProcessOptions, "transport" | "input" | "output" | "log" | "decodeBase64"> {
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
 *   answering: the daemon then stops its worker (exit 1), and a restarted worker resumes the shard from its last checkpoint;
 *   an uncaught exception or unhandled rejection in user code is logged and
 *   fails the session the same way;
 * - before exiting it waits for what was written to stdout and stderr to
 *   reach the daemon, at most 5 seconds (a parent that stopped reading
 *   cannot keep a finished child alive).
 *
 * @example A consumer that checkpoints every batch
 * ```ts ignore
 * // An illustration: run() takes over this process's stdio, so it runs only under the daemon.
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
  const { logLevel, log: customLog, ...policies } = options;
  const stdio = host.takeStdio();
  let fatal: unknown;
  // The session's calls go straight to the runtime's transport (no layer per reply, not even a bound function's: the
  // runtime transports' methods use no `this`); after an uncaught error, `writeLine` is replaced: nothing more reaches
  // the daemon, which resumes the shard from its last checkpoint once restarted.
  const transport: { -readonly [K in keyof SessionTransport]: SessionTransport[K] } = {
    read: stdio.read,
    writeLine: stdio.writeLine,
    close: stdio.close,
  };
  if (stdio.actionAnswered !== undefined) transport.actionAnswered = stdio.actionAnswered;
  const envLevel = host.env("KCL_LOG_LEVEL");
  const level = logLevel ?? (isLogLevel(envLevel) ? envLevel : "info");
  const log = customLog ?? createLogger((line) => host.writeStderr(line), { level });
  if (logLevel === undefined && envLevel !== undefined && !isLogLevel(envLevel)) {
    log("warn", "Ignoring KCL_LOG_LEVEL: use debug, info, warn, error or silent", { KCL_LOG_LEVEL: envLevel });
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    host.onSignal(signal, () => log("info", `Ignoring ${signal}: the daemon drives shutdown by closing stdin`));
  }
  host.onUncaughtError((error) => {
    if (fatal !== undefined) return;
    fatal = error;
    transport.writeLine = () => {
      throw new Error("Cannot reply: the process is exiting after an uncaught error");
    };
    // The exit is under way before the log, which a user's log function could make throw.
    void transport.close().then(() => host.exit(1));
    log(
      "error",
      "Uncaught error in the record processor; exiting without a status (the daemon stops; restarted, it resumes the shard from its last checkpoint)",
      {
        error: error instanceof Error ? error : new Error(String(error)),
      },
    );
  });
  const decodeBase64 = host.decodeBase64 === undefined ? {} : { decodeBase64: host.decodeBase64 };
  const result = await new KclProcess(processor, { ...policies, ...decodeBase64, transport, log }).run();
  return await host.exit(result.exitCode);
}
