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
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * async function commit(checkpointer: Checkpointer, record: KinesisRecord): Promise<void> {
 *   await checkpointer.checkpoint(record); // exactly this record
 *   await checkpointer.checkpoint(record.sequenceNumber, record.subSequenceNumber); // the same position
 *   await checkpointer.checkpoint(); // the largest position the action permits
 * }
 * const daemon = FakeDaemon.inProcess({ processRecords: ({ records, checkpointer }) => commit(checkpointer, records[0]!) });
 * await daemon.initialize();
 * const records = new RecordBuilder().build(["first", "last"]);
 * const batch = await daemon.processRecords(records);
 * assert.deepEqual(batch.checkpoints.map((c) => c.sequenceNumber), [records[0]!.sequenceNumber, records[0]!.sequenceNumber, null]);
 * assert.equal(daemon.checkpoint?.sequenceNumber, records[1]!.sequenceNumber);
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
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * async function handle({ records, millisBehindLatest, checkpointer }: ProcessRecordsInput): Promise<void> {
 *   seen.push(`${records.length} records, ${millisBehindLatest ?? "?"} ms behind`);
 *   await checkpointer.checkpoint();
 * }
 * const daemon = FakeDaemon.inProcess({ processRecords: handle });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a", "b"]), { millisBehindLatest: 1200 });
 * assert.deepEqual(seen, ["2 records, 1200 ms behind"]);
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
 * import { FakeDaemon } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * let open = true;
 * const processor: RecordProcessor = {
 *   processRecords() {},
 *   leaseLost(_input: LeaseLostInput) {
 *     open = false; // another worker owns the shard now: no checkpointer here
 *   },
 * };
 * const daemon = FakeDaemon.inProcess(processor);
 * await daemon.initialize();
 * await daemon.leaseLost();
 * assert.equal(open, false);
 * ```
 */
export type LeaseLostInput = Record<string, never>;

/**
 * Input of {@linkcode RecordProcessor.shardEnded}.
 *
 * @example Finish the shard
 * ```ts
 * import type { ShardEndedInput } from "@kcl/multilang";
 * import { FakeDaemon } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * async function finish({ checkpointer }: ShardEndedInput): Promise<void> {
 *   await checkpointer.checkpoint(); // SHARD_END
 * }
 * const daemon = FakeDaemon.inProcess({ processRecords() {}, shardEnded: finish });
 * await daemon.initialize();
 * const end = await daemon.shardEnded();
 * assert.deepEqual(end.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null, error: null }]);
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
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * async function handOff({ checkpointer }: ShutdownRequestedInput): Promise<void> {
 *   await checkpointer.checkpoint(); // the last record delivered
 * }
 * const daemon = FakeDaemon.inProcess({ processRecords() {}, shutdownRequested: handOff });
 * await daemon.initialize();
 * const [record] = new RecordBuilder().build(["unchecked"]);
 * await daemon.processRecords([record!]);
 * await daemon.shutdownRequested();
 * assert.equal(daemon.checkpoint?.sequenceNumber, record!.sequenceNumber);
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
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const texts: string[] = [];
 * const processor: RecordProcessor = {
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) texts.push(record.text());
 *     await checkpointer.checkpoint();
 *   },
 * };
 * const daemon = FakeDaemon.inProcess(processor);
 * await daemon.initialize();
 * const records = new RecordBuilder().build(["a", "b"]);
 * await daemon.processRecords(records);
 * assert.deepEqual(texts, ["a", "b"]);
 * assert.equal(daemon.checkpoint?.sequenceNumber, records[1]!.sequenceNumber);
 * ```
 */
export interface RecordProcessor {
  /** The shard's first action. Throwing ends the process with a non-zero exit. */
  initialize?(input: InitializeInput): void | Promise<void>;
  /**
   * A batch of records. Throwing (after the configured retries) ends the
   * process without a status: the real daemon stops its worker, and the
   * restarted worker resumes from the last checkpoint. Nothing is lost.
   */
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  /** The lease is gone: clean up; checkpointing is no longer possible. */
  leaseLost?(input: LeaseLostInput): void | Promise<void>;
  /** The shard is closed and fully read: finish up (the `SHARD_END` checkpoint is guaranteed). */
  shardEnded?(input: ShardEndedInput): void | Promise<void>;
  /** The worker is shutting down or handing the lease off: checkpoint what is finished. */
  shutdownRequested?(input: ShutdownRequestedInput): void | Promise<void>;
}
