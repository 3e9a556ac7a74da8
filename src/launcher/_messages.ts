/**
 * Wording the launcher's messages share: why a file could not be used (from
 * `src/cli/`), and a short list of names.
 *
 * @module
 */

// Shared with kcl-local; re-exported here so that the launcher's files keep their import.
export { fileErrorReason } from "../cli/file_error_reason.ts";

/**
 * `names` joined with ", ", at most `shown` of them, then "and N more".
 *
 * @example
 * ```ts
 * import { listNames } from "./_messages.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(listNames(["a", "b", "c"]), "a, b, c");
 * assert.equal(listNames(["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
 * ```
 */
export function listNames(names: readonly string[], shown = 3): string {
  return names.length <= shown
    ? names.join(", ")
    : `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}
