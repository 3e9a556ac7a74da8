/**
 * Errors as text for messages: {@linkcode messageOf} one error,
 * {@linkcode describeError} an error with its causes. `fetch` says only
 * "fetch failed" on Deno and Node; the reason (DNS, TLS, proxy, refused
 * connection) is in `error.cause`, sometimes an `AggregateError` of one
 * failure per address. The session, batch and the CLIs all describe errors
 * this one way.
 *
 * Internal: no package entry point exports this module, so it may change in
 * any release.
 *
 * @module
 */

/**
 * `error`'s message (with its `code` when the message does not already say
 * it), or its text when it is not an `Error`.
 *
 * @example
 * ```ts
 * import { messageOf } from "./describe_error.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(messageOf(new Error("disk on fire")), "disk on fire");
 * const lookup = Object.assign(new Error("getaddrinfo failed"), { code: "ENOTFOUND" });
 * assert.equal(messageOf(lookup), "getaddrinfo failed (ENOTFOUND)");
 * assert.equal(messageOf(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })), "write EPIPE");
 * assert.equal(messageOf("a string"), "a string");
 * ```
 */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // Some causes carry only a code ("ENOTFOUND") or put it only in the code field.
  return typeof code === "string" && code !== "" && !error.message.includes(code)
    ? `${error.message} (${code})`.trim()
    : error.message;
}

/**
 * `error`'s message followed by each cause's, joined with ": " (a cause
 * whose message is already in the text is skipped; an `AggregateError`
 * lists its errors).
 *
 * @example
 * ```ts
 * import { describeError } from "./describe_error.ts";
 * import assert from "node:assert/strict";
 *
 * const refused = new AggregateError([
 *   new Error("connect ECONNREFUSED ::1:443"),
 *   new Error("connect ECONNREFUSED 127.0.0.1:443"),
 * ]);
 * assert.equal(
 *   describeError(new TypeError("fetch failed", { cause: refused })),
 *   "fetch failed: connect ECONNREFUSED ::1:443; connect ECONNREFUSED 127.0.0.1:443",
 * );
 * const repeated = new Error("Cannot open x: no such file", { cause: new Error("no such file") });
 * assert.equal(describeError(repeated), "Cannot open x: no such file");
 * ```
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const add = (text: string): void => {
    const trimmed = text.trim();
    if (trimmed !== "" && !parts.some((part) => part.includes(trimmed))) parts.push(trimmed);
  };
  for (let current: unknown = error; current !== undefined && current !== null; current = causeOf(current)) {
    if (seen.has(current)) break;
    seen.add(current);
    if (current instanceof AggregateError && current.errors.length > 0) {
      add([...new Set(current.errors.map(messageOf))].join("; "));
    } else {
      add(messageOf(current));
    }
  }
  return parts.join(": ");
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}
