/**
 * The error for input from the daemon that this child cannot act on.
 *
 * @module
 */

/**
 * What was wrong with the daemon's input:
 * - `line-too-long`: a line exceeded the configured maximum length;
 * - `not-a-message`: a line that is not a JSON object with a string `action`
 *   (the session reports it and skips it);
 * - `invalid-message`: a known action with missing or mistyped fields;
 * - `unexpected-message`: a well-formed message at a time the protocol
 *   forbids it (a checkpoint reply with no request pending, an action while
 *   another is in flight).
 *
 * @example Decide what to do with bad input
 * ```ts
 * import type { ProtocolErrorKind } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const skippable = (kind: ProtocolErrorKind): boolean => kind === "not-a-message";
 * assert.equal(skippable("invalid-message"), false);
 * ```
 */
export type ProtocolErrorKind =
  | "line-too-long"
  | "not-a-message"
  | "invalid-message"
  | "unexpected-message";

/**
 * Malformed or unexpected input from the daemon.
 *
 * @example Tell a skippable line from a fatal one
 * ```ts
 * import { parseMessage, ProtocolError } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => parseMessage("not json"),
 *   (error) => error instanceof ProtocolError && error.kind === "not-a-message",
 * );
 * ```
 */
export class ProtocolError extends Error {
  /** What was wrong; see {@linkcode ProtocolErrorKind}. */
  readonly kind: ProtocolErrorKind;
  /** The offending line, its first 200 characters and how many more were cut (empty when not line-bound). */
  readonly line: string;

  /**
   * Creates the error, clipping the offending line.
   *
   * @param kind what was wrong
   * @param message a sentence naming the failed action and the cause
   * @param line the offending input line, if any (clipped here)
   */
  constructor(kind: ProtocolErrorKind, message: string, line = "") {
    super(message);
    this.name = "ProtocolError";
    this.kind = kind;
    this.line = clipLine(line);
  }
}

/**
 * Longest excerpt of a bad line kept in errors and logs.
 *
 * @example Clip to the default length
 * ```ts
 * import { CLIP_LENGTH, clipLine } from "./protocol_error.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(clipLine("x".repeat(CLIP_LENGTH + 1)).startsWith("x".repeat(CLIP_LENGTH) + "…"));
 * ```
 */
export const CLIP_LENGTH = 200;

/**
 * Shortens `line` for error messages and logs, saying how much was cut.
 *
 * @example Clip a long line
 * ```ts
 * import { clipLine } from "./protocol_error.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(clipLine("x".repeat(250), 10), "xxxxxxxxxx… (240 more characters)");
 * ```
 */
export function clipLine(line: string, max: number = CLIP_LENGTH): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}
