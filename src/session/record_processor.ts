/**
 * The contract user code implements: one method per daemon action. Every
 * method may be synchronous or return a promise; the status for an action
 * is sent only after it settles.
 *
 * @module
 */

import type { KinesisRecord } from "./record.ts";
import type { SequencePosition } from "./sequence.ts";

/**
 * Records progress in the lease table.
 *
 * - `checkpoint()`: the largest position this checkpointer's action permits:
 *   the last record of its batch (`processRecords`), `SHARD_END`
 *   (`shardEnded`), the last record delivered (`shutdownRequested`).
 * - `checkpoint(record)` / `checkpoint(sequenceNumber, subSequenceNumber?)`:
 *   exactly that position.
 *
 * A checkpointer kept after its action (a background flush) is safe: its
 * request waits for the next `processRecords` / `shardEnded` /
 * `shutdownRequested` and is sent first thing then; a no-argument request is
 * pinned when made, so it never covers records delivered later.
 *
 * Rejects with {@linkcode CheckpointError}; throttling and dependency errors
 * are retried first.
 *
 * @example Checkpoint the three ways
 * ```ts
 * import type { Checkpointer, KinesisRecord } from "@kcl/multilang";
 *
 * async function commit(checkpointer: Checkpointer, record: KinesisRecord): Promise<void> {
 *   await checkpointer.checkpoint(record); // exactly this record
 *   await checkpointer.checkpoint(record.sequenceNumber, record.subSequenceNumber); // the same position
 *   await checkpointer.checkpoint(); // the largest position the action permits
 * }
 * void commit;
 * ```
 */
export interface Checkpointer {
  /** Checkpoints the largest position this checkpointer's action permits. */
  checkpoint(): Promise<void>;
  /** Checkpoints a record's position (or any sequence position). */
  checkpoint(record: SequencePosition): Promise<void>;
  /** Checkpoints a sequence number, and a sub-sequence number for KPL sub-records. */
  checkpoint(sequenceNumber: string, subSequenceNumber?: number): Promise<void>;
}

/**
 * Input of {@linkcode RecordProcessor.initialize}.
 *
 * @example Start from the lease's checkpoint
 * ```ts
 * import { type InitializeInput, isSequenceNumber } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * function describe({ shardId, sequenceNumber }: InitializeInput): string {
 *   return isSequenceNumber(sequenceNumber) ? `${shardId} resumes after ${sequenceNumber}` : `${shardId} starts at ${sequenceNumber}`;
 * }
 * assert.equal(
 *   describe({ shardId: "shardId-1", sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 }),
 *   "shardId-1 starts at TRIM_HORIZON",
 * );
 * ```
 */
export interface InitializeInput {
  /** The shard this child processes, e.g. `shardId-000000000000`. */
  readonly shardId: string;
  /** The lease's checkpoint: decimal digits, a sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`) or `null`. */
  readonly sequenceNumber: string | null;
  /** The checkpoint's sub-sequence number, or `null`. */
  readonly subSequenceNumber: number | null;
}

/**
 * Input of {@linkcode RecordProcessor.processRecords}.
 *
 * @example Report lag and count
 * ```ts
 * import type { ProcessRecordsInput } from "@kcl/multilang";
 *
 * async function handle({ records, millisBehindLatest, checkpointer }: ProcessRecordsInput): Promise<void> {
 *   console.error(`${records.length} records, ${millisBehindLatest ?? "?"} ms behind`);
 *   await checkpointer.checkpoint();
 * }
 * void handle;
 * ```
 */
export interface ProcessRecordsInput {
  /** The batch (may be empty when the daemon is configured to call for empty batches). */
  readonly records: readonly KinesisRecord[];
  /** How far behind the tip of the stream this batch is, or `null`. */
  readonly millisBehindLatest: number | null;
  /** `checkpoint()` here means the last record of this batch. */
  readonly checkpointer: Checkpointer;
}

/**
 * Input of {@linkcode RecordProcessor.leaseLost}: another worker owns the shard; no checkpointing.
 *
 * @example Clean up
 * ```ts
 * import type { LeaseLostInput, RecordProcessor } from "@kcl/multilang";
 *
 * const processor: RecordProcessor = {
 *   processRecords() {},
 *   leaseLost(_input: LeaseLostInput) {
 *     console.error("another worker owns the shard now");
 *   },
 * };
 * void processor;
 * ```
 */
export type LeaseLostInput = Record<string, never>;

/**
 * Input of {@linkcode RecordProcessor.shardEnded}.
 *
 * @example Finish the shard
 * ```ts
 * import type { ShardEndedInput } from "@kcl/multilang";
 *
 * async function finish({ checkpointer }: ShardEndedInput): Promise<void> {
 *   await checkpointer.checkpoint(); // SHARD_END
 * }
 * void finish;
 * ```
 */
export interface ShardEndedInput {
  /** `checkpoint()` here means `SHARD_END`; the library sends it if you do not. */
  readonly checkpointer: Checkpointer;
}

/**
 * Input of {@linkcode RecordProcessor.shutdownRequested}.
 *
 * @example Commit before a hand-off
 * ```ts
 * import type { ShutdownRequestedInput } from "@kcl/multilang";
 *
 * async function handOff({ checkpointer }: ShutdownRequestedInput): Promise<void> {
 *   await checkpointer.checkpoint(); // the last record delivered
 * }
 * void handOff;
 * ```
 */
export interface ShutdownRequestedInput {
  /** `checkpoint()` here means the last record delivered. */
  readonly checkpointer: Checkpointer;
}

/**
 * A shard's record processor. Only `processRecords` is required.
 *
 * @example A processor that checkpoints every batch
 * ```ts
 * import type { RecordProcessor } from "@kcl/multilang";
 *
 * const processor: RecordProcessor = {
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) console.error(record.text());
 *     await checkpointer.checkpoint();
 *   },
 * };
 * ```
 */
export interface RecordProcessor {
  /** The shard's first action. Throwing ends the process with a non-zero exit. */
  initialize?(input: InitializeInput): void | Promise<void>;
  /**
   * A batch of records. Throwing (after the configured retries) ends the
   * process without a status, so the daemon restarts from the last
   * checkpoint: nothing is lost.
   */
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  /** The lease is gone: clean up; checkpointing is no longer possible. */
  leaseLost?(input: LeaseLostInput): void | Promise<void>;
  /** The shard is closed and fully read: finish up (the `SHARD_END` checkpoint is guaranteed). */
  shardEnded?(input: ShardEndedInput): void | Promise<void>;
  /** The worker is shutting down or handing the lease off: checkpoint what is finished. */
  shutdownRequested?(input: ShutdownRequestedInput): void | Promise<void>;
}
