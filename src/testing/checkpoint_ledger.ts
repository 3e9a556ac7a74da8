/**
 * The daemon's side of checkpointing, exactly as the real checkpointer
 * validates it: last checkpoint <= position <= largest permitted, where a
 * null request means the largest permitted position, and the largest
 * permitted position depends on the action in flight.
 *
 * @module
 */

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

/**
 * What a checkpoint request means during the action in flight:
 * - `none`: the action has no checkpointer (`initialize`, `leaseLost`): `InvalidStateException`;
 * - `lost`: KCL 1.x `shutdown` with reason `ZOMBIE`: the lease is gone, `ShutdownException`;
 * - `permitted`: checkpoints up to the largest permitted position are executed.
 */
export type CheckpointWindow = "none" | "lost" | "permitted";

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

/** Whether `value` is a position the daemon can compare (digits or a sentinel). */
export function isComparable(sequenceNumber: string): boolean {
  return DECIMAL.test(sequenceNumber) || sequenceNumber in SENTINEL_RANK;
}

/** Orders two positions: sentinels below (or, for `SHARD_END`, above) every number. */
export function comparePositions(a: CheckpointPosition, b: CheckpointPosition): -1 | 0 | 1 {
  const aRank = SENTINEL_RANK[a.sequenceNumber] ?? 0;
  const bRank = SENTINEL_RANK[b.sequenceNumber] ?? 0;
  if (aRank !== 0 || bRank !== 0) return aRank < bRank ? -1 : aRank > bRank ? 1 : 0;
  const aDigits = a.sequenceNumber.replace(/^0+(?=.)/, "");
  const bDigits = b.sequenceNumber.replace(/^0+(?=.)/, "");
  if (aDigits.length !== bDigits.length) return aDigits.length < bDigits.length ? -1 : 1;
  if (aDigits !== bDigits) return aDigits < bDigits ? -1 : 1;
  return a.subSequenceNumber < b.subSequenceNumber ? -1 : a.subSequenceNumber > b.subSequenceNumber ? 1 : 0;
}

/** Formats a position for messages: `SHARD_END`, `4959…/0`. */
export function formatPosition(position: CheckpointPosition | null): string {
  if (position === null) return "none";
  return position.sequenceNumber in SENTINEL_RANK
    ? position.sequenceNumber
    : `${position.sequenceNumber}/${position.subSequenceNumber}`;
}

/** The stored checkpoint of one shard and the rules that move it. */
export class CheckpointLedger {
  /** The checkpoint in the lease table; `null` before `initialize`. */
  stored: CheckpointPosition | null = null;
  /** The last record delivered. */
  lastDelivered: CheckpointPosition | null = null;
  #largestPermitted: CheckpointPosition | null = null;
  #window: CheckpointWindow = "none";

  /** `initialize`: the lease's checkpoint becomes both the last checkpoint and the largest permitted. */
  initialize(position: CheckpointPosition | null): void {
    this.stored = position;
    this.#largestPermitted = position;
    this.#window = "none";
  }

  /** A batch was delivered: its last record is the largest permitted (unchanged by an empty batch). */
  deliver(last: CheckpointPosition | undefined): void {
    if (last !== undefined) {
      this.lastDelivered = last;
      this.#largestPermitted = last;
    }
  }

  /** Opens the window for an action; `shardEnd` makes `SHARD_END` the largest permitted position. */
  open(window: CheckpointWindow, shardEnd = false): void {
    this.#window = window;
    if (shardEnd) this.#largestPermitted = SHARD_END;
  }

  /** Closes the window when the action is answered. */
  close(): void {
    this.#window = "none";
  }

  /**
   * Executes one request; returns the error name the daemon answers with, or
   * `null` when the checkpoint was stored.
   */
  execute(sequenceNumber: string | null, subSequenceNumber: number | null): string | null {
    if (this.#window === "none") return "InvalidStateException";
    if (this.#window === "lost") return "ShutdownException";
    if (sequenceNumber === null) {
      // checkpoint(): the largest permitted position; a no-op when nothing new was delivered.
      if (this.#largestPermitted !== null) this.stored = this.#largestPermitted;
      return null;
    }
    const sub = subSequenceNumber ?? 0;
    if (!isComparable(sequenceNumber) || !Number.isSafeInteger(sub) || sub < 0) return "IllegalArgumentException";
    const position = { sequenceNumber, subSequenceNumber: sub };
    const floor = this.stored;
    const ceiling = this.#largestPermitted;
    if (floor !== null && comparePositions(floor, position) > 0) return "IllegalArgumentException";
    if (ceiling === null || comparePositions(position, ceiling) > 0) return "IllegalArgumentException";
    this.stored = position;
    return null;
  }
}
