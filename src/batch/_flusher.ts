/**
 * Flushing one batch: the sink is called with retries (the one retry helper
 * of the session layer), then the batch is done (flushed), dropped by
 * `onBatchError`, or failed for good (held, so that no checkpoint passes it,
 * and the failure ends the session at the next action).
 *
 * @module
 */

import { type ResolvedRetry, retry } from "../session/retry.ts";
import { type Batch, describeBatch } from "./_batch.ts";
import type { BatchBuffer } from "./_batch_buffer.ts";
import type { FailurePolicy } from "./_failure_policy.ts";
import type { Lifecycle } from "./_lifecycle.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { StatsCollector } from "./_stats_collector.ts";
import { BatchError } from "./batch_error.ts";
import type { BatchConsumerOptions, FlushContext } from "./batch_options.ts";

/** What a {@linkcode Flusher} works with. */
export interface FlusherParts<T> {
  readonly flush: BatchConsumerOptions<T>["flush"];
  readonly retry: ResolvedRetry;
  readonly buffer: BatchBuffer<T>;
  readonly failures: FailurePolicy<T>;
  readonly life: Lifecycle;
  readonly stats: StatsCollector;
  readonly log: ShardLog;
  /** Called when a batch is done (flushed or dropped): the safe position may have moved. */
  readonly onDone: () => void;
}

/** Thrown by the wait between attempts when the shard's timers were cleared: the flush is abandoned. */
const abandoned = new Error("The flush was abandoned: the shard's timers were cleared");

/** Flushes batches, one call of {@linkcode Flusher.flush} per batch. */
export class Flusher<T> {
  readonly #parts: FlusherParts<T>;

  constructor(parts: FlusherParts<T>) {
    this.#parts = parts;
  }

  /** Flushes one batch with retries, then marks it done, dropped or failed; never rejects. */
  async flush(batch: Batch<T>): Promise<void> {
    const { flush, buffer, life, stats, log } = this.#parts;
    let attempts = 0;
    let started = 0;
    try {
      await retry(
        (attempt) => {
          attempts = attempt;
          const context: FlushContext = {
            shardId: log.shardId,
            key: batch.key,
            first: batch.first,
            last: batch.last,
            attempt,
            signal: life.signal,
          };
          started = performance.now();
          return flush(batch.items, context);
        },
        this.#parts.retry,
        {
          // Once the shard's life has ended the result no longer matters: no retry.
          retryable: () => life.running,
          onRetry: (error, attempt, delayMs) => {
            stats.flushRetried();
            log.event("warn", "Flush failed; retrying", { ...describeBatch(batch), attempt, delayMs, error });
          },
          wait: async (ms) => {
            if (!await life.timers.sleep(ms) || !life.running) throw abandoned;
          },
        },
      );
    } catch (cause) {
      if (cause === abandoned || !life.running) return;
      await this.#failed(batch, attempts, cause);
      return;
    }
    if (!life.running) return;
    buffer.finish(batch);
    stats.flushed(batch.items.length, performance.now() - started);
    this.#parts.onDone();
  }

  async #failed(batch: Batch<T>, attempts: number, cause: unknown): Promise<void> {
    const { buffer, failures, life, stats, log } = this.#parts;
    const error = new BatchError("flush", {
      shardId: log.shardId,
      key: batch.key,
      first: batch.first,
      last: batch.last,
      count: batch.items.length,
      attempts,
    }, cause);
    // Until decided the batch stays in flight: its key stays blocked and no checkpoint passes it.
    try {
      await failures.drop(error, {
        shardId: log.shardId,
        key: batch.key,
        items: batch.items,
        record: undefined,
        first: batch.first,
        last: batch.last,
      });
    } catch (fatal) {
      if (!life.running) return;
      buffer.fail(batch);
      life.fail(fatal);
      log.event(
        "error",
        "Flush failed for good; the next action fails, so that nothing past the last checkpoint is lost",
        { ...describeBatch(batch), error: fatal },
      );
      return;
    }
    if (!life.running) return;
    buffer.finish(batch);
    stats.batchDropped(batch.items.length);
    this.#parts.onDone();
  }
}
