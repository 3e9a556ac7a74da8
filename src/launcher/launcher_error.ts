/**
 * The one error type the launcher throws for conditions a user can fix.
 *
 * @module
 */

/**
 * What failed:
 * - `usage`: a bad command-line option, a properties or log configuration
 *   file that does not exist, an unknown `--kcl` release, a repository that
 *   is not an http(s) URL (exit code 2);
 * - `permission`: Deno refused a permission the launcher needs; the message
 *   names the flag that grants it (exit code 2);
 * - `properties`: the properties file is malformed or has lint errors;
 * - `java`: Java not found, not runnable, or too old;
 * - `download`: a jar or its `.sha1` file could not be fetched (404, other
 *   HTTP errors, network errors after every attempt);
 * - `checksum`: a downloaded (or cached) jar does not match the SHA-256 and
 *   size pinned for it, or, for a jar without one, the repository's SHA-1;
 * - `lock`: a jar differs from the lock file, or the lock file is for
 *   another set or unreadable;
 * - `offline`: `--offline` and a jar is not in the cache.
 *
 * @example A command line to change is a `usage` error (exit code 2), found before any download
 * ```ts
 * import { launch, LauncherError } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const usage = (message: string) => (error: unknown): boolean => {
 *   assert.ok(error instanceof LauncherError);
 *   assert.equal(error.kind, "usage");
 *   assert.equal(error.exitCode, 2);
 *   assert.equal(error.message, message);
 *   return true;
 * };
 * await assert.rejects(
 *   launch({ properties: "app.properties", cacheDir: "/tmp/kcl-cache", kcl: "9.9.9" }),
 *   usage("Cannot find a classpath set for KCL 9.9.9: known releases are 3.1.3, 2.5.4"),
 * );
 * await assert.rejects(
 *   launch({ properties: "app.properties", cacheDir: "/tmp/kcl-cache", repository: "ftp://mirror/maven2" }),
 *   usage(
 *     "Cannot use the repository `ftp://mirror/maven2`: the launcher downloads over https or http, not ftp; " +
 *       "pass --repository https://<host>/<path>",
 *   ),
 * );
 * ```
 */
export type LauncherErrorKind =
  | "usage"
  | "permission"
  | "properties"
  | "java"
  | "download"
  | "checksum"
  | "lock"
  | "offline";

/**
 * A launcher failure with a sentence that names the failed action and the
 * cause; the underlying error, if any, is its `cause`.
 *
 * @example Tell a checksum failure from a usage error
 * ```ts
 * import { LauncherError } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const network = new TypeError("fetch failed");
 * const error = new LauncherError("download", "Cannot download a:b:1: https://repo/a.jar failed", { cause: network });
 * assert.equal(error.kind, "download");
 * assert.equal(error.exitCode, 1);
 * assert.equal(error.cause, network);
 * assert.equal(new LauncherError("usage", "Unknown option `--x`").exitCode, 2);
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
   * @param options `cause`: the underlying error
   */
  constructor(kind: LauncherErrorKind, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = "LauncherError";
    this.kind = kind;
  }

  /** The process exit code for this failure: 2 when the command line must change (usage, permission), else 1. */
  get exitCode(): number {
    return this.kind === "usage" || this.kind === "permission" ? 2 : 1;
  }
}
