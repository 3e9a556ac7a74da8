/**
 * Positions in the (fake) lease table: decimal sequence numbers, or the
 * sentinels the daemon stores before the first and after the last record.
 *
 * @module
 */

import { compareSequence, formatPosition } from "../session/sequence.ts";

/**
 * A position in the lease table: decimal digits, or a sentinel
 * (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`).
 *
 * @example Follow the stored checkpoint to `SHARD_END`
 * ```ts
 * import { type CheckpointPosition, FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = FakeDaemon.inProcess({ processRecords() {} });
 * await daemon.initialize();
 * const records = new RecordBuilder().build(["a"]);
 * await daemon.processRecords(records);
 * const delivered: CheckpointPosition | null = daemon.lastDelivered;
 * assert.deepEqual(delivered, { sequenceNumber: records[0]?.sequenceNumber, subSequenceNumber: 0 });
 * assert.deepEqual(daemon.checkpoint, { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
 * await daemon.shardEnded();
 * assert.deepEqual(daemon.checkpoint, { sequenceNumber: "SHARD_END", subSequenceNumber: 0 });
 * await daemon.end();
 * ```
 */
export interface CheckpointPosition {
  /** Decimal digits or a sentinel name. */
  readonly sequenceNumber: string;
  /** Position inside a KPL aggregate (0 for plain records and sentinels). */
  readonly subSequenceNumber: number;
}

/** The sentinels, ranked as the KCL's `ExtendedSequenceNumber` orders them. */
const SENTINEL_RANK: Readonly<Record<string, number>> = {
  AT_TIMESTAMP: -3,
  TRIM_HORIZON: -2,
  LATEST: -1,
  SHARD_END: 1,
};

const DECIMAL = /^[0-9]+$/;

/** The `SHARD_END` position. */
export const SHARD_END: CheckpointPosition = { sequenceNumber: "SHARD_END", subSequenceNumber: 0 };

/** Whether `sequenceNumber` is one the daemon can compare (digits or a sentinel). */
export function isComparable(sequenceNumber: string): boolean {
  return DECIMAL.test(sequenceNumber) || sequenceNumber in SENTINEL_RANK;
}

/** Orders two comparable positions: sentinels below (or, for `SHARD_END`, above) every number. */
export function comparePositions(a: CheckpointPosition, b: CheckpointPosition): -1 | 0 | 1 {
  const aRank = SENTINEL_RANK[a.sequenceNumber] ?? 0;
  const bRank = SENTINEL_RANK[b.sequenceNumber] ?? 0;
  if (aRank !== 0 || bRank !== 0) return aRank < bRank ? -1 : aRank > bRank ? 1 : 0;
  return compareSequence(a, b);
}

/** A position for messages: `none`, a sentinel's name, or `formatPosition`'s `4950/0`. */
export function describePosition(position: CheckpointPosition | null): string {
  if (position === null) return "none";
  return position.sequenceNumber in SENTINEL_RANK ? position.sequenceNumber : formatPosition(position);
}
