/**
 * "Did you mean" suggestions for misspelled names (properties, options, values).
 *
 * @module
 */

/**
 * The candidate closest to `name`, or `undefined` when none is close enough.
 * Distance is the optimal-string-alignment edit distance (a swap of two
 * neighbours counts once), ignoring case; a candidate that starts with the
 * name (`region` → `regionName`) also counts.
 *
 * @example Suggest a fix for a typo
 * ```ts
 * import { closestName } from "./closest_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(closestName("sreamName", ["streamName", "applicationName"]), "streamName");
 * assert.equal(closestName("banana", ["streamName"]), undefined);
 * ```
 */
export function closestName(
  name: string,
  candidates: readonly string[],
): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    let distance = editDistance(lower, other);
    // Case-only differences rank just above exact, ahead of any real typo.
    if (distance === 0) distance = 0.5;
    else if (distance > limit && lower.length >= 5 && other.startsWith(lower)) {
      distance = limit;
    }
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
