/**
 * Wording the launcher's messages share: why a file could not be used, and
 * a short list of names.
 *
 * @module
 */

import { formatRefusal, permissionRefusal } from "../runtime/cli.ts";
import { messageOf } from "../session/describe_error.ts";

/**
 * Why a file operation failed, in words: "no such file", "it is a folder",
 * "permission denied", Deno's refusal with the flag that grants it, else
 * the error's own message.
 *
 * @example
 * ```ts
 * import { fileErrorReason } from "./_messages.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fileErrorReason(Object.assign(new Error("ENOENT: open 'x'"), { code: "ENOENT" })), "no such file");
 * assert.equal(fileErrorReason(new Error("disk on fire")), "disk on fire");
 * ```
 */
export function fileErrorReason(error: unknown): string {
  const refusal = permissionRefusal(error);
  if (refusal !== undefined) return formatRefusal(refusal);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return messageOf(error);
}

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
