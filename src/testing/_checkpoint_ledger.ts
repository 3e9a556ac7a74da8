/**
 * The daemon's side of checkpointing, exactly as the real checkpointer
 * validates it: last checkpoint <= position <= largest permitted, where a
 * null request means the largest permitted position, and the largest
 * permitted position depends on the action in flight.
 *
 * @module
 */

import { type CheckpointPosition, comparePositions, isComparable, SHARD_END } from "./checkpoint_position.ts";

/**
 * The checkpoint window of the action in flight (the span in which a
 * checkpoint request may be executed):
 * - `none`: the action has no checkpointer (`initialize`, `leaseLost`): `InvalidStateException`;
 * - `lost`: KCL 1.x `shutdown` with reason `ZOMBIE`: the lease is gone, `ShutdownException`;
 * - `permitted`: checkpoints up to the largest permitted position are executed.
 */
export type CheckpointWindow = "none" | "lost" | "permitted";

/** The stored checkpoint of one shard and the rules that move it. */
export class CheckpointLedger {
  /** The checkpoint in the lease table; `null` before `initialize`. */
  stored: CheckpointPosition | null = null;
  /** The last record delivered. */
  lastDelivered: CheckpointPosition | null = null;
  #largestPermitted: CheckpointPosition | null = null;
  #checkpointWindow: CheckpointWindow = "none";

  /** `initialize`: the lease's checkpoint becomes both the last checkpoint and the largest permitted. */
  initialize(position: CheckpointPosition | null): void {
    this.stored = position;
    this.#largestPermitted = position;
    this.#checkpointWindow = "none";
  }

  /** A batch was delivered: its last record is the largest permitted (unchanged by an empty batch). */
  deliver(last: CheckpointPosition | undefined): void {
    if (last !== undefined) {
      this.lastDelivered = last;
      this.#largestPermitted = last;
    }
  }

  /** Opens the checkpoint window of an action; `shardEnd` makes `SHARD_END` the largest permitted position. */
  open(checkpointWindow: CheckpointWindow, shardEnd = false): void {
    this.#checkpointWindow = checkpointWindow;
    if (shardEnd) this.#largestPermitted = SHARD_END;
  }

  /** Closes the checkpoint window when the action is answered. */
  close(): void {
    this.#checkpointWindow = "none";
  }

  /**
   * Executes one request; returns the error name the daemon answers with, or
   * `null` when the checkpoint was stored.
   */
  execute(sequenceNumber: string | null, subSequenceNumber: number | null): string | null {
    if (this.#checkpointWindow === "none") return "InvalidStateException";
    if (this.#checkpointWindow === "lost") return "ShutdownException";
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
