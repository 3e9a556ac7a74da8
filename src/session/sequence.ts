/**
 * Kinesis positions: decimal sequence numbers of up to 129 digits, ordered
 * exactly (never through a JS number), then by sub-sequence number.
 *
 * @module
 */

/**
 * A position in a shard: a sequence number and, for KPL sub-records, a sub-sequence number.
 *
 * @example Order KPL sub-records
 * ```ts
 * import { compareSequence, type SequencePosition } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const first: SequencePosition = { sequenceNumber: "4959", subSequenceNumber: 0 };
 * const second: SequencePosition = { sequenceNumber: "4959", subSequenceNumber: 1 };
 * assert.equal(compareSequence(first, second), -1);
 * ```
 */
export interface SequencePosition {
  /** Decimal digits. */
  readonly sequenceNumber: string;
  /** Position inside a KPL aggregate; absent or `null` means 0. */
  readonly subSequenceNumber?: number | null | undefined;
}

const DECIMAL = /^[0-9]+$/;

/**
 * Whether `value` is a decimal sequence number (not a sentinel such as `TRIM_HORIZON`).
 *
 * @example Tell a sequence number from a sentinel
 * ```ts
 * import { isSequenceNumber } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isSequenceNumber("49590338271490256608559692538361571095921575989136588898"), true);
 * assert.equal(isSequenceNumber("TRIM_HORIZON"), false);
 * ```
 */
export function isSequenceNumber(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value);
}

/**
 * Orders two positions: by sequence number (exact for any number of digits),
 * then by sub-sequence number. A plain string is a position with
 * sub-sequence number 0.
 *
 * @throws {RangeError} when a sequence number is not decimal digits.
 *
 * @example Compare numbers too large for a JS number
 * ```ts
 * import { compareSequence } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const a = "49590338271490256608559692538361571095921575989136588898";
 * const b = "49590338271490256608559692538361571095921575989136588899";
 * assert.equal(compareSequence(a, b), -1);
 * assert.equal(compareSequence({ sequenceNumber: b, subSequenceNumber: 1 }, b), 1);
 * assert.equal(compareSequence("007", "7"), 0);
 * ```
 */
export function compareSequence(a: SequencePosition | string, b: SequencePosition | string): -1 | 0 | 1 {
  const [aNumber, aSub] = typeof a === "string" ? [a, 0] : [a.sequenceNumber, a.subSequenceNumber ?? 0];
  const [bNumber, bSub] = typeof b === "string" ? [b, 0] : [b.sequenceNumber, b.subSequenceNumber ?? 0];
  const byNumber = compareDecimal(aNumber, bNumber);
  if (byNumber !== 0) return byNumber;
  return aSub < bSub ? -1 : aSub > bSub ? 1 : 0;
}

/**
 * Compares decimal strings exactly without allocating a BigInt: after
 * leading zeros, the longer number is larger, and equal lengths compare as
 * text: the result of comparing BigInts, without making them.
 */
function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) {
    const bad = DECIMAL.test(a) ? b : a;
    throw new RangeError(`Cannot compare sequence numbers: ${JSON.stringify(bad)} is not decimal digits`);
  }
  const aDigits = stripLeadingZeros(a);
  const bDigits = stripLeadingZeros(b);
  if (aDigits.length !== bDigits.length) return aDigits.length < bDigits.length ? -1 : 1;
  return aDigits < bDigits ? -1 : aDigits > bDigits ? 1 : 0;
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return i === 0 ? digits : digits.slice(i);
}

/**
 * A position as people read it: `sequence/sub-sequence`, e.g. `4950/0`.
 *
 * @example
 * ```ts
 * import { formatPosition } from "./sequence.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPosition({ sequenceNumber: "4950" }), "4950/0");
 * assert.equal(formatPosition({ sequenceNumber: "4950", subSequenceNumber: 3 }), "4950/3");
 * ```
 */
export function formatPosition(position: SequencePosition): string {
  return `${position.sequenceNumber}/${position.subSequenceNumber ?? 0}`;
}
