/**
 * The counters of a {@linkcode BatchConsumer}, as `consumer.stats` returns
 * them and as they are logged at intervals.
 *
 * @module
 */

import type { SequencePosition } from "../session/sequence.ts";

/**
 * A snapshot of a batch consumer's counters.
 *
 * @example Read the counters
 * ```ts
 * import { BatchConsumer, type BatchStats } from "@kcl/multilang/batch";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const consumer = new BatchConsumer<string>({ map: (record) => record.text(), flush: () => {}, log: () => {} });
 * const daemon = FakeDaemon.inProcess(consumer);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a", "b"]));
 * await daemon.shardEnded();
 * await daemon.end();
 * const stats: BatchStats = consumer.stats;
 * assert.equal(stats.recordsFlushed, 2);
 * ```
 */
export interface BatchStats {
  /** Records received from the daemon (a redelivered record counts once). */
  readonly recordsIn: number;
  /** Records whose batch was flushed. */
  readonly recordsFlushed: number;
  /** Records `map` returned `undefined` for. */
  readonly recordsSkipped: number;
  /** Records dropped by `onBatchError` (failed map or failed flush). */
  readonly recordsDropped: number;
  /** Batches flushed. */
  readonly batchesFlushed: number;
  /** Batches dropped by `onBatchError`. */
  readonly batchesDropped: number;
  /** Flush attempts that failed and were retried. */
  readonly flushRetries: number;
  /** Records held in batches not yet flushed (open, waiting or in flight). */
  readonly bufferedRecords: number;
  /** Record bytes held in batches not yet flushed. */
  readonly bufferedBytes: number;
  /** Flushes in progress. */
  readonly flushesInFlight: number;
  /** Duration of the last successful flush call, in milliseconds (`null` before the first). */
  readonly lastFlushMs: number | null;
  /** Mean duration of successful flush calls, in milliseconds (`null` before the first). */
  readonly meanFlushMs: number | null;
  /** Longest successful flush call, in milliseconds (`null` before the first). */
  readonly maxFlushMs: number | null;
  /** How many times `processRecords` waited for flushes because too much data was buffered. */
  readonly backpressureWaits: number;
  /** The daemon's `millisBehindLatest` of the last batch: the current lag. */
  readonly millisBehindLatest: number | null;
  /** The last position checkpointed successfully (`SHARD_END` excluded). */
  readonly checkpoint: SequencePosition | null;
}
