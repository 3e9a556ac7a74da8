/**
 * Downloads one jar into the cache: temporary file → verify → rename, so a
 * crash never leaves a corrupt jar. A jar with an expected digest (the lock's
 * or the set's pinned one) is verified against it alone; one without, against
 * the repository's `.sha1`. Transient failures are retried through the one
 * `retry()` (src/session/retry.ts).
 *
 * @module
 */

import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { retry, type RetryOptions } from "../session/retry.ts";
import { parseSha1File, sha1Hex, sha256Hex } from "./_digest.ts";
import { fetchToFile, get, TransientError, watched } from "./_http_get.ts";
import { cachedJarPath, writeVerifiedNote } from "./_jar_cache.ts";
import { compareDigest, digestMismatchError, type ExpectedDigests } from "./_jar_digests.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName, artifactPath, type MavenArtifact, repositoryUrl } from "./maven_artifact.ts";

/** Everything one download needs. */
export interface JarDownload {
  readonly repository: string;
  readonly cacheDir: string;
  readonly retry: Required<RetryOptions>;
  readonly idleTimeoutMs: number;
  readonly wait: ((ms: number) => Promise<void>) | undefined;
  readonly expected: ExpectedDigests | undefined;
  readonly fetch: typeof fetch;
  readonly onBytes: (count: number) => void;
}

/** Downloads, verifies and caches `artifact`; throws a `download`, `checksum` or `lock` {@linkcode LauncherError}. */
export async function downloadJar(artifact: MavenArtifact, context: JarDownload): Promise<void> {
  const name = artifactName(artifact);
  const jarUrl = repositoryUrl(context.repository, artifactPath(artifact));
  const pinned = context.expected?.jars.has(name) === true;
  const sha1 = pinned ? undefined : await repositorySha1(context, name, `${jarUrl}.sha1`);

  const jar = cachedJarPath(context.cacheDir, artifact);
  await mkdir(dirname(jar), { recursive: true });
  const temporary = `${jar}.${crypto.randomUUID()}.part`;
  try {
    const size = await attempts(
      context,
      name,
      jarUrl,
      () =>
        watched(
          context.idleTimeoutMs,
          (watch) => fetchToFile(context.fetch, jarUrl, name, temporary, watch, context.onBytes),
        ),
    );
    const bytes = await readFile(temporary);
    const actualSha1 = await sha1Hex(bytes);
    if (sha1 !== undefined && actualSha1 !== sha1) {
      throw new LauncherError(
        "checksum",
        `Cannot verify ${name}: the SHA-1 of ${jarUrl} is ${actualSha1}, but ${jarUrl}.sha1 says ${sha1}`,
      );
    }
    const sha256 = await sha256Hex(bytes);
    const mismatch = compareDigest(context.expected, name, { sha256, size });
    if (mismatch !== undefined && context.expected !== undefined) {
      throw digestMismatchError(
        mismatch,
        context.expected,
        `the jar downloaded from ${jarUrl}`,
        context.expected.kind === "lock"
          ? "the repository serves other bytes than when the lock was made: check the repository or mirror (--repository)"
          : "the repository serves other bytes than Maven Central did when the launcher's list was made: check the repository or mirror (--repository)",
      );
    }
    await rename(temporary, jar);
    await writeVerifiedNote(jar, { sha1: actualSha1, size, sha256 });
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The SHA-1 the repository publishes beside the jar. */
async function repositorySha1(context: JarDownload, name: string, url: string): Promise<string> {
  const text = await attempts(
    context,
    name,
    url,
    () =>
      watched(
        context.idleTimeoutMs,
        async (watch) => await watch.guard((await get(context.fetch, url, name, watch)).text()),
      ),
  );
  const sha1 = parseSha1File(text);
  if (sha1 === undefined) {
    throw new LauncherError("checksum", `Cannot verify ${name}: ${url} does not hold a SHA-1 digest`);
  }
  return sha1;
}

/** `operation` under the retry policy; a last transient failure becomes a `download` error naming the attempts. */
async function attempts<T>(context: JarDownload, name: string, url: string, operation: () => Promise<T>): Promise<T> {
  let made = 0;
  try {
    return await retry((attempt) => (made = attempt, operation()), context.retry, {
      retryable: (error) => error instanceof TransientError,
      minDelayMs: (error) => error instanceof TransientError ? error.retryAfterMs : undefined,
      ...(context.wait === undefined ? {} : { wait: context.wait }),
    });
  } catch (error) {
    if (!(error instanceof TransientError)) throw error;
    throw new LauncherError(
      "download",
      `Cannot download ${name}: ${url} ${error.message} (gave up after ${made} ${made === 1 ? "attempt" : "attempts"})`,
      { cause: error.cause ?? error },
    );
  }
}
