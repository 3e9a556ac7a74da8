/**
 * The consumer's log: every event names the shard, which is known once
 * `initialize` has run.
 *
 * @module
 */

import { createLogger, type LogFields, type LogFunction, type LogLevel } from "../session/logger.ts";

/** The shard's id, and a log whose events carry it. */
export class ShardLog {
  /** The shard, from `initialize`. */
  shardId = "unknown";
  readonly #log: LogFunction;

  /** Logs to `log`, or to stderr without one. */
  constructor(log: LogFunction | undefined) {
    this.#log = log ?? defaultLog();
  }

  /** Logs one event, with the shard's id first among its fields. */
  event(level: LogLevel, message: string, fields: LogFields): void {
    this.#log(level, message, { shardId: this.shardId, ...fields });
  }
}

// Untested in process (the in-process suites pass `log`); tests/batch_example_test.ts runs it in a child.
function defaultLog(): LogFunction {
  // stderr is the daemon's log channel; run() keeps console.error there.
  // deno-lint-ignore no-console
  return createLogger((line) => console.error(line.trimEnd()), { name: "kcl-batch" });
}
