/**
 * What happens to a batch whose flush failed after its retries, or to a
 * record `map` (or `keyOf`) threw on: `onBatchError` may drop it; otherwise
 * the failure ends the session and nothing is lost.
 *
 * @module
 */

import { formatPosition } from "../session/sequence.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { BatchError } from "./batch_error.ts";
import type { BatchConsumerOptions, FailedBatch } from "./batch_options.ts";

/** Asks `onBatchError` whether a failed batch or record is dropped. */
export class FailurePolicy<T> {
  readonly #onBatchError: BatchConsumerOptions<T>["onBatchError"];
  readonly #log: ShardLog;

  constructor(onBatchError: BatchConsumerOptions<T>["onBatchError"], log: ShardLog) {
    this.#onBatchError = onBatchError;
    this.#log = log;
  }

  /** Resolves if `onBatchError` drops it (the drop is logged); throws the error that fails the process otherwise. */
  async drop(error: BatchError, failed: FailedBatch<T>): Promise<void> {
    const handler = this.#onBatchError;
    if (handler === undefined) throw error;
    const decision = await handler(error, failed);
    if (decision !== "drop") throw error;
    this.#log.event(
      "error",
      error.kind === "map"
        ? "Dropping a record that could not be mapped (onBatchError)"
        : "Dropping a batch (onBatchError)",
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
