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
 */
export interface Checkpointer {
  /** Checkpoints the largest position this checkpointer's action permits. */
  checkpoint(): Promise<void>;
  /** Checkpoints a record's position (or any sequence position). */
  checkpoint(record: SequencePosition): Promise<void>;
  /** Checkpoints a sequence number, and a sub-sequence number for KPL sub-records. */
  checkpoint(sequenceNumber: string, subSequenceNumber?: number): Promise<void>;
}

/** Input of {@linkcode RecordProcessor.initialize}. */
export interface InitializeInput {
  /** The shard this child processes, e.g. `shardId-000000000000`. */
  readonly shardId: string;
  /** The lease's checkpoint: decimal digits, a sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`) or `null`. */
  readonly sequenceNumber: string | null;
  /** The checkpoint's sub-sequence number, or `null`. */
  readonly subSequenceNumber: number | null;
}

/** Input of {@linkcode RecordProcessor.processRecords}. */
export interface ProcessRecordsInput {
  /** The batch (may be empty when the daemon is configured to call for empty batches). */
  readonly records: readonly KinesisRecord[];
  /** How far behind the tip of the stream this batch is, or `null`. */
  readonly millisBehindLatest: number | null;
  /** `checkpoint()` here means the last record of this batch. */
  readonly checkpointer: Checkpointer;
}

/** Input of {@linkcode RecordProcessor.leaseLost}: another worker owns the shard; no checkpointing. */
export type LeaseLostInput = Record<string, never>;

/** Input of {@linkcode RecordProcessor.shardEnded}. */
export interface ShardEndedInput {
  /** `checkpoint()` here means `SHARD_END`; the library sends it if you do not. */
  readonly checkpointer: Checkpointer;
}

/** Input of {@linkcode RecordProcessor.shutdownRequested}. */
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
