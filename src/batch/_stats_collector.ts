/**
 * The counters behind {@linkcode BatchStats}. Each part of the consumer
 * reports what happened through one method; only {@linkcode StatsCollector.snapshot}
 * reads them.
 *
 * @module
 */

import type { SequencePosition } from "../session/sequence.ts";
import type { BatchStats } from "./batch_stats.ts";

/** The counters behind {@linkcode BatchStats}. */
export class StatsCollector {
  #recordsIn = 0;
  #recordsFlushed = 0;
  #recordsSkipped = 0;
  #recordsDropped = 0;
  #batchesFlushed = 0;
  #batchesDropped = 0;
  #flushRetries = 0;
  #backpressureWaits = 0;
  #millisBehindLatest: number | null = null;
  #checkpoint: SequencePosition | null = null;
  #flushMsTotal = 0;
  #lastFlushMs: number | null = null;
  #maxFlushMs: number | null = null;

  /** Counts a record mapped to an item (buffered). */
  mapped(): void {
    this.#recordsIn++;
  }

  /** Counts a record that `map` skipped (returned `undefined`). */
  skipped(): void {
    this.#recordsIn++;
    this.#recordsSkipped++;
  }

  /** Counts a record whose `map` failed and that was dropped. */
  mapDropped(): void {
    this.#recordsIn++;
    this.#recordsDropped++;
  }

  /** Counts a failed flush that is retried. */
  flushRetried(): void {
    this.#flushRetries++;
  }

  /** Counts a successful flush of `records` records that took `ms`. */
  flushed(records: number, ms: number): void {
    this.#recordsFlushed += records;
    this.#batchesFlushed++;
    this.#flushMsTotal += ms;
    this.#lastFlushMs = ms;
    this.#maxFlushMs = Math.max(this.#maxFlushMs ?? 0, ms);
  }

  /** Counts a batch of `records` records that failed for good and was dropped. */
  batchDropped(records: number): void {
    this.#batchesDropped++;
    this.#recordsDropped += records;
  }

  /** Counts a wait of `processRecords` for the buffer to drain below its limits. */
  backpressureWaited(): void {
    this.#backpressureWaits++;
  }

  /** Notes how far the shard's reader is behind the stream's tip, as the daemon last said. */
  behindLatest(millis: number | null): void {
    this.#millisBehindLatest = millis;
  }

  /** Notes the newest position checkpointed. */
  checkpointed(position: SequencePosition): void {
    this.#checkpoint = position;
  }

  /** A snapshot, completed with the buffer's current state. */
  snapshot(buffer: { records: number; bytes: number; inFlight: number }): BatchStats {
    const round = (ms: number | null) => ms === null ? null : Math.round(ms * 10) / 10;
    return {
      recordsIn: this.#recordsIn,
      recordsFlushed: this.#recordsFlushed,
      recordsSkipped: this.#recordsSkipped,
      recordsDropped: this.#recordsDropped,
      batchesFlushed: this.#batchesFlushed,
      batchesDropped: this.#batchesDropped,
      flushRetries: this.#flushRetries,
      bufferedRecords: buffer.records,
      bufferedBytes: buffer.bytes,
      flushesInFlight: buffer.inFlight,
      lastFlushMs: round(this.#lastFlushMs),
      meanFlushMs: this.#batchesFlushed === 0 ? null : round(this.#flushMsTotal / this.#batchesFlushed),
      maxFlushMs: round(this.#maxFlushMs),
      backpressureWaits: this.#backpressureWaits,
      millisBehindLatest: this.#millisBehindLatest,
      checkpoint: this.#checkpoint,
    };
  }
}
