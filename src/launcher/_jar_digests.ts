/**
 * The digests a set's jars must match before they are used: the lock file's
 * when there is one (the user's reviewed record), else the SHA-256 and size
 * the set pins (the launcher's own sets pin every jar, from the Maven
 * resolution that made them), else none (a custom jar is then checked against
 * the repository's `.sha1`). One comparison serves downloads, the cache and `--check`.
 *
 * @module
 */

import type { ClasspathSet } from "./classpath_sets.ts";
import type { JarLock, LockedJar } from "./_lock_file.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName } from "./maven_artifact.ts";

/** What the jars must match, and where that comes from (for messages). */
export interface ExpectedDigests {
  /** Artifact name → digest; a jar not in it has no expectation. */
  readonly jars: ReadonlyMap<string, LockedJar>;
  /** Says what is expected, before the digest: `the lock file conf/app.kcl.lock expects`, `the launcher's KCL 3.1.3 list pins`. */
  readonly source: string;
  /** The error kind of a mismatch: `lock` for a lock file, `checksum` for pinned digests. */
  readonly kind: "lock" | "checksum";
}

/** The lock's digests (already checked against `set`), else the set's pinned ones, else `undefined`. */
export function expectedDigests(
  set: ClasspathSet,
  lock: { readonly lock: JarLock; readonly file: string } | undefined,
): ExpectedDigests | undefined {
  if (lock !== undefined) return { jars: lock.lock.jars, source: `the lock file ${lock.file} expects`, kind: "lock" };
  const jars = new Map<string, LockedJar>();
  for (const artifact of set.artifacts) {
    if (artifact.sha256 !== undefined && artifact.size !== undefined) {
      jars.set(artifactName(artifact), { sha256: artifact.sha256, size: artifact.size });
    }
  }
  return jars.size === 0 ? undefined : { jars, source: `the launcher's KCL ${set.kcl} list pins`, kind: "checksum" };
}

/** A jar whose bytes differ from what was expected. */
export interface DigestMismatch {
  /** The artifact (`group:artifact:version`). */
  readonly name: string;
  /** What was expected. */
  readonly expected: LockedJar;
  /** What the bytes are. */
  readonly actual: LockedJar;
}

/** The one comparison: the mismatch when `actual` differs from what `expected` says of `name`, else `undefined`. */
export function compareDigest(
  expected: ExpectedDigests | undefined,
  name: string,
  actual: LockedJar,
): DigestMismatch | undefined {
  const want = expected?.jars.get(name);
  if (want === undefined) return undefined;
  return actual.sha256 === want.sha256 && actual.size === want.size ? undefined : { name, expected: want, actual };
}

/** The error that refuses a jar: `what` names the bytes (the downloaded jar, the cached file), `fix` what to do. */
export function digestMismatchError(
  mismatch: DigestMismatch,
  expected: ExpectedDigests,
  what: string,
  fix: string,
): LauncherError {
  const { name, expected: want, actual } = mismatch;
  return new LauncherError(
    expected.kind,
    `Cannot use ${name}: ${what} has SHA-256 ${actual.sha256} (${actual.size} bytes), but ${expected.source} ${want.sha256} (${want.size} bytes); ${fix}`,
  );
}
