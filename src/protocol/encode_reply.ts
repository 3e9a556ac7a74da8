/**
 * The child's replies, with exactly the keys the daemon accepts: its Jackson
 * parser skips a line with an unknown key and keeps waiting, which deadlocks
 * the shard.
 *
 * @module
 */

/**
 * The line that ends an action: `{"action":"status","responseFor":<action>}`.
 *
 * @example Answer an action
 * ```ts
 * import { encodeStatus } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeStatus("processRecords"), '{"action":"status","responseFor":"processRecords"}\n');
 * ```
 */
export function encodeStatus(responseFor: string): string {
  let line = statusLines.get(responseFor);
  if (line === undefined) {
    line = `{"action":"status","responseFor":${JSON.stringify(responseFor)}}\n`;
    // Bounded: a daemon may send action names this version does not know.
    if (statusLines.size < 16) statusLines.set(responseFor, line);
  }
  return line;
}

/** Status lines by action, built once: one is written per action. */
const statusLines = new Map<string, string>();

/**
 * A checkpoint request. `sequenceNumber: null` asks for the largest position
 * the current action permits (`SHARD_END` during `shardEnded`).
 *
 * @example Request checkpoints
 * ```ts
 * import { encodeCheckpoint } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeCheckpoint("4959", 2),
 *   '{"action":"checkpoint","sequenceNumber":"4959","subSequenceNumber":2}\n',
 * );
 * assert.equal(
 *   encodeCheckpoint(null, null),
 *   '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}\n',
 * );
 * ```
 */
export function encodeCheckpoint(sequenceNumber: string | null, subSequenceNumber: number | null): string {
  // Decimal digits and integers need no escaping: the common case skips `JSON.stringify`.
  const sequence = sequenceNumber !== null && DIGITS.test(sequenceNumber)
    ? `"${sequenceNumber}"`
    : JSON.stringify(sequenceNumber);
  const sub = Number.isSafeInteger(subSequenceNumber) ? `${subSequenceNumber}` : JSON.stringify(subSequenceNumber);
  return `{"action":"checkpoint","sequenceNumber":${sequence},"subSequenceNumber":${sub}}\n`;
}

const DIGITS = /^[0-9]+$/;

/**
 * The checkpoint request for a position already known to be valid: decimal
 * digits and an integer, or both null (the session's requests, validated
 * when made). Not part of the `./protocol` entry point.
 */
export function checkpointLine(position: {
  readonly sequenceNumber: string | null;
  readonly subSequenceNumber: number | null;
}): string {
  const { sequenceNumber, subSequenceNumber } = position;
  if (sequenceNumber === null || subSequenceNumber === null) return encodeCheckpoint(sequenceNumber, subSequenceNumber);
  return `{"action":"checkpoint","sequenceNumber":"${sequenceNumber}","subSequenceNumber":${subSequenceNumber}}\n`;
}
