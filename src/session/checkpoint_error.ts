/**
 * The error a failed checkpoint rejects with.
 *
 * @module
 */

import { formatPosition } from "./sequence.ts";

/** Daemon errors that mean "try again later": retried with backoff before a checkpoint rejects. */
const RETRYABLE_CHECKPOINT_ERRORS: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "KinesisClientLibDependencyException",
]);

/**
 * A checkpoint the daemon refused (or that could not be sent).
 *
 * `code` is the daemon's Java exception simple name: `ThrottlingException`,
 * `KinesisClientLibDependencyException` (both retryable, and already retried
 * when you see them), `ShutdownException` (the lease is gone; `leaseLost`
 * follows), `InvalidStateException`, `IllegalArgumentException`, or any
 * other name a daemon sends.
 *
 * @example React to a lost lease
 * ```ts
 * import { CheckpointError } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const error = new CheckpointError("ShutdownException", { sequenceNumber: "42", subSequenceNumber: 0 });
 * assert.equal(error.code, "ShutdownException");
 * assert.equal(error.retryable, false);
 * assert.equal(error.message, "Cannot checkpoint at 42/0: ShutdownException");
 * ```
 */
export class CheckpointError extends Error {
  /** The daemon's exception name. */
  readonly code: string;
  /** Whether the daemon reported a transient condition (throttling, a dependency). */
  readonly retryable: boolean;
  /** The position requested; `null` sequence number for "largest permitted". */
  readonly position: { sequenceNumber: string | null; subSequenceNumber: number | null };

  /**
   * Creates the error for a refused checkpoint.
   *
   * @param code the daemon's exception name
   * @param position what was requested
   * @param detail extra words for the message
   */
  constructor(
    code: string,
    position: { sequenceNumber: string | null; subSequenceNumber: number | null },
    detail?: string,
  ) {
    const at = position.sequenceNumber === null
      ? "the largest permitted position"
      : formatPosition({ sequenceNumber: position.sequenceNumber, subSequenceNumber: position.subSequenceNumber });
    super(`Cannot checkpoint at ${at}: ${code}${detail === undefined ? "" : ` (${detail})`}`);
    this.name = "CheckpointError";
    this.code = code;
    this.retryable = RETRYABLE_CHECKPOINT_ERRORS.has(code);
    this.position = position;
  }
}

/** Whether `error` is a checkpoint that found the lease gone (`leaseLost` follows). */
export function isLeaseGone(error: unknown): boolean {
  return error instanceof CheckpointError && error.code === "ShutdownException";
}
