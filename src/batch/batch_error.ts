/**
 * The error a failed flush or map is reported with.
 *
 * @module
 */

import { messageOf } from "../session/describe_error.ts";
import { formatPosition, type SequencePosition } from "../session/sequence.ts";

/**
 * What failed: a `flush` call (after its retries) or the `map` of one record.
 *
 * @example Alert only on sink failures
 * ```ts
 * import type { BatchErrorKind } from "@kcl/multilang/batch";
 * import assert from "node:assert/strict";
 *
 * const page = (kind: BatchErrorKind): boolean => kind === "flush";
 * assert.equal(page("map"), false);
 * ```
 */
export type BatchErrorKind = "flush" | "map";

/**
 * Where a {@linkcode BatchError} happened.
 *
 * @example Where a flush failed
 * ```ts
 * import { BatchError, type BatchErrorDetails } from "@kcl/multilang/batch";
 * import assert from "node:assert/strict";
 *
 * const details: BatchErrorDetails = {
 *   shardId: "shardId-0",
 *   key: "orders",
 *   first: { sequenceNumber: "10" },
 *   last: { sequenceNumber: "19" },
 *   count: 10,
 *   attempts: 5,
 * };
 * const error = new BatchError("flush", details, new Error("connection refused"));
 * assert.equal(error.count, 10);
 * ```
 */
export interface BatchErrorDetails {
  /** The shard. */
  readonly shardId: string;
  /** The batch's key (`undefined` without `keyOf`, and for map failures). */
  readonly key: string | undefined;
  /** The first record concerned. */
  readonly first: SequencePosition;
  /** The last record concerned. */
  readonly last: SequencePosition;
  /** How many records are concerned. */
  readonly count: number;
  /** How many times the action was tried. */
  readonly attempts: number;
}

/**
 * A batch that could not be flushed after its retries, or a record that
 * `map` (or `keyOf`) threw on. The original error is the `cause`.
 *
 * @example Tell a poison record from a failed flush
 * ```ts
 * import { BatchError } from "@kcl/multilang/batch";
 * import assert from "node:assert/strict";
 *
 * const position = { sequenceNumber: "42", subSequenceNumber: 0 };
 * const error = new BatchError(
 *   "map",
 *   { shardId: "shardId-0", key: undefined, first: position, last: position, count: 1, attempts: 1 },
 *   new SyntaxError("Unexpected token"),
 * );
 * assert.equal(error.kind, "map");
 * assert.equal(error.message, "Cannot map record 42/0 of shard shardId-0: Unexpected token");
 * ```
 */
export class BatchError extends Error {
  /** What failed. */
  readonly kind: BatchErrorKind;
  /** The shard. */
  readonly shardId: string;
  /** The batch's key, if any. */
  readonly key: string | undefined;
  /** The first record concerned. */
  readonly first: SequencePosition;
  /** The last record concerned. */
  readonly last: SequencePosition;
  /** How many records are concerned. */
  readonly count: number;
  /** How many times the action was tried. */
  readonly attempts: number;

  /**
   * Builds the message from the details and keeps `cause`.
   *
   * @param kind what failed
   * @param details where
   * @param cause the error thrown by `flush` or `map`
   */
  constructor(kind: BatchErrorKind, details: BatchErrorDetails, cause: unknown) {
    const reason = messageOf(cause);
    const message = kind === "map"
      ? `Cannot map record ${formatPosition(details.first)} of shard ${details.shardId}: ${reason}`
      : `Cannot flush ${details.count} records (${formatPosition(details.first)}..${formatPosition(details.last)}${
        details.key === undefined ? "" : `, key ${JSON.stringify(details.key)}`
      }) of shard ${details.shardId} after ${details.attempts} attempts: ${reason}`;
    super(message, { cause });
    this.name = "BatchError";
    this.kind = kind;
    this.shardId = details.shardId;
    this.key = details.key;
    this.first = details.first;
    this.last = details.last;
    this.count = details.count;
    this.attempts = details.attempts;
  }
}
