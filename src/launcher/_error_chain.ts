/**
 * Error messages with their causes: `fetch` says only "fetch failed" on Deno
 * and Node; the reason (DNS, TLS, proxy, refused connection) is in
 * `error.cause`, sometimes an `AggregateError` of one failure per address.
 *
 * @module
 */

/**
 * `error`'s message followed by each cause's, joined with ": " (a cause
 * whose message is already in the text is skipped; an `AggregateError`
 * lists its errors).
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

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // Some causes carry only a code ("ENOTFOUND") or put it only in the code field.
  return typeof code === "string" && code !== "" && !error.message.includes(code)
    ? `${error.message} (${code})`.trim()
    : error.message;
}
