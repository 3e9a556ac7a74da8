/**
 * What happens to a batch whose flush failed after its retries, or to a
 * record `map` (or `keyOf`) threw on: `onFlushError` may drop it; otherwise
 * the failure ends the session and nothing is lost.
 *
 * @module
 */

import { formatPosition } from "../session/sequence.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { BatchError } from "./batch_error.ts";
import type { BatchConsumerOptions, FailedBatch } from "./batch_options.ts";

/** Asks `onFlushError` whether a failed batch or record is dropped. */
export class FailurePolicy<T> {
  readonly #onFlushError: BatchConsumerOptions<T>["onFlushError"];
  readonly #log: ShardLog;

  constructor(onFlushError: BatchConsumerOptions<T>["onFlushError"], log: ShardLog) {
    this.#onFlushError = onFlushError;
    this.#log = log;
  }

  /** Resolves if `onFlushError` drops it (the drop is logged); throws the error that fails the process otherwise. */
  async drop(error: BatchError, failed: FailedBatch<T>): Promise<void> {
    const handler = this.#onFlushError;
    if (handler === undefined) throw error;
    const decision = await handler(error, failed);
    if (decision !== "drop") throw error;
    this.#log.event(
      "error",
      error.kind === "map"
        ? "Dropping a record that could not be mapped (onFlushError)"
        : "Dropping a batch (onFlushError)",
      {
        key: error.key,
        first: formatPosition(error.first),
        last: formatPosition(error.last),
        count: error.count,
        error,
      },
    );
  }
}
