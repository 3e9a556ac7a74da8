/**
 * Why a file could not be used, in the words both CLIs print.
 *
 * @module
 */

import { formatRefusal, permissionRefusal } from "../runtime/cli.ts";

/**
 * Why a file operation failed, in words: "no such file", "it is a folder",
 * "permission denied", Deno's refusal with the flag that grants it, else
 * the error's own message.
 *
 * @example
 * ```ts
 * import { fileErrorReason } from "./file_error_reason.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fileErrorReason(Object.assign(new Error("ENOENT: open 'x'"), { code: "ENOENT" })), "no such file");
 * assert.equal(fileErrorReason(Object.assign(new Error("EISDIR: read"), { code: "EISDIR" })), "it is a folder");
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
  return error instanceof Error ? error.message : String(error);
}
