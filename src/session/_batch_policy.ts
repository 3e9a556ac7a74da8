/**
 * What happens when `processRecords` throws: retry the same batch, answer
 * when the lease is gone, skip when allowed, else fail the session (the
 * daemon stops, and a restarted worker resumes from the last checkpoint).
 *
 * @module
 */

import { isLeaseGone } from "./checkpoint_error.ts";
import { describeError } from "./describe_error.ts";
import type { LogFunction } from "./logger.ts";
import type { KinesisRecord } from "./record.ts";
import { type ResolvedRetry, retry } from "./retry.ts";
import { formatPosition } from "./sequence.ts";

/** The session's policy for failing batches. */
export interface BatchPolicy {
  /** Attempts of the handler with the same batch, and the backoff between them. */
  readonly retry: ResolvedRetry;
  /** Answer a batch that still fails (it is lost) instead of failing the session. */
  readonly skipFailedBatches: boolean;
}

/** The batch's range (`-` for an empty batch), for messages. */
function batchRange({ first, last, count }: BatchContext): { first: string; last: string; count: number } {
  const at = (record: KinesisRecord | undefined) => record === undefined ? "-" : formatPosition(record);
  return { first: at(first), last: at(last), count };
}

/**
 * The batch being settled, for its messages: its ends and size, not its
 * records (holding them would keep the whole batch reachable while its
 * checkpoint is in flight, for the collector to find live).
 */
export interface BatchContext {
  readonly first: KinesisRecord | undefined;
  readonly last: KinesisRecord | undefined;
  readonly count: number;
  readonly shardId: string | null;
  readonly log: LogFunction;
}

/**
 * Waits for a batch's handler, `first`; while it fails and the policy
 * allows, runs it again with `again`. Resolves when the status may be sent;
 * rejects with an error naming the batch when the session must fail.
 */
export async function settleBatch(
  first: Promise<void>,
  again: () => void | Promise<void>,
  policy: BatchPolicy,
  context: BatchContext,
): Promise<void> {
  const { shardId, log } = context;
  try {
    if (policy.retry.attempts === 1) return await first;
    await retry((attempt) => attempt === 1 ? first : again(), policy.retry, {
      retryable: (error) => !isLeaseGone(error),
      onRetry: (error, attempt, delayMs) =>
        log("warn", "processRecords failed; retrying the batch", { attempt, delayMs, ...batchRange(context), error }),
    });
  } catch (error) {
    if (isLeaseGone(error)) {
      log("warn", "A checkpoint found the lease gone; answering so that leaseLost can follow", {});
      return;
    }
    const range = batchRange(context);
    if (policy.skipFailedBatches) {
      log("error", "processRecords failed; skipping the batch (skipFailedBatches)", { ...range, error });
      return;
    }
    throw new Error(
      `Cannot process records ${range.first}..${range.last} (${range.count} records) of shard ${shardId}: ${
        describeError(error)
      }; exiting without a status: the daemon stops this worker (exit code 1) and its next start resumes from the last checkpoint`,
      { cause: error },
    );
  }
}
