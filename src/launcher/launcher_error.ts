/**
 * The one error type the launcher throws for conditions a user can fix.
 *
 * @module
 */

/**
 * What failed:
 * - `usage`: a bad command-line option (exit code 2);
 * - `properties`: the properties file is missing, unreadable, malformed or
 *   has lint errors;
 * - `java`: Java not found, not runnable, or too old;
 * - `download`: a jar or its `.sha1` file could not be fetched (404, other
 *   HTTP errors, network errors after every retry);
 * - `checksum`: a downloaded jar does not match the repository's SHA-1;
 * - `offline`: `--offline` and a jar is not in the cache;
 * - `config`: an unknown `--kcl` release or a missing `--log-configuration` file.
 *
 * @example Tell the user what to fix
 * ```ts
 * import { LauncherError, type LauncherErrorKind, parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const hint = (kind: LauncherErrorKind): string =>
 *   kind === "usage" ? "see --help" : kind === "download" ? "check the network or use --repository" : "see the message";
 * try {
 *   parseCliArgs(["--properties"]);
 *   assert.fail("expected a usage error");
 * } catch (error) {
 *   assert.ok(error instanceof LauncherError);
 *   assert.equal(error.kind, "usage");
 *   assert.equal(hint(error.kind), "see --help");
 * }
 * ```
 */
export type LauncherErrorKind =
  | "usage"
  | "properties"
  | "java"
  | "download"
  | "checksum"
  | "offline"
  | "config";

/**
 * A launcher failure with a sentence that names the failed action and the cause.
 *
 * @example Tell a checksum failure from a network one
 * ```ts
 * import { LauncherError } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const error = new LauncherError("checksum", "Cannot verify a:b:1: digest mismatch");
 * assert.equal(error.kind, "checksum");
 * assert.equal(error.exitCode, 1);
 * ```
 */
export class LauncherError extends Error {
  /** What failed; see {@linkcode LauncherErrorKind}. */
  readonly kind: LauncherErrorKind;

  /**
   * Creates a launcher error.
   *
   * @param kind what failed
   * @param message a sentence naming the failed action and the cause
   */
  constructor(kind: LauncherErrorKind, message: string) {
    super(message);
    this.name = "LauncherError";
    this.kind = kind;
  }

  /** The process exit code for this failure: 2 for usage errors, else 1. */
  get exitCode(): number {
    return this.kind === "usage" ? 2 : 1;
  }
}
