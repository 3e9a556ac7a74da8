/**
 * Fills the jar cache with a set's jars: parallel (bounded), each verified
 * (see `_jar_download.ts`) before it is moved into place, with progress.
 *
 * @module
 */

import { join } from "node:path";
import { resolveRetry, type RetryOptions } from "../session/retry.ts";
import { checkCachedJars, findMissingJars } from "./_cache_check.ts";
import { cachedJarPath } from "./_jar_cache.ts";
import { downloadJar, type JarDownload } from "./_jar_download.ts";
import type { ExpectedDigests } from "./_jar_digests.ts";
import { createProgress, formatBytes } from "./_progress.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName, type MavenArtifact } from "./maven_artifact.ts";

/** Maven Central as Maven itself reaches it (the super POM's `central` repository), the default repository. */
export const MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2";

/** The default download retries: 5 attempts, delays up to 0.5, 1, 2, 4 s. */
export const DOWNLOAD_RETRY: Required<RetryOptions> = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** How long a download may go without receiving a byte before the attempt fails (and is retried): 30 s. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

/** How to fill the cache. */
export interface EnsureJarsOptions {
  /** Repository base URL (default {@linkcode MAVEN_CENTRAL}). */
  readonly repository?: string;
  /** Cache root; jars go to `<cacheDir>/jars/<maven layout>`. */
  readonly cacheDir: string;
  /** Use the cache only; a missing jar is an `offline` error. */
  readonly offline?: boolean;
  /** Downloads in flight at once (default 6). */
  readonly concurrency?: number;
  /** Retries of transient failures (default {@linkcode DOWNLOAD_RETRY}). */
  readonly retry?: RetryOptions;
  /**
   * How long an attempt may wait for the response or for the next bytes of
   * its body before it fails as transient (default
   * {@linkcode DOWNLOAD_IDLE_TIMEOUT_MS}).
   */
  readonly idleTimeoutMs?: number;
  /** How to wait between attempts (default: a timer); a test can record the delays instead. */
  readonly wait?: (ms: number) => Promise<void>;
  /**
   * Every jar, cached or downloaded, must match these digests (the lock's or
   * the set's pinned ones); a jar without one is checked against the repository's `.sha1`.
   */
  readonly expected?: ExpectedDigests | undefined;
  /** Messages (start and end lines, live progress) go here, e.g. stderr. */
  readonly log?: (text: string) => void;
  /** Redraw a live progress line (stderr is a terminal). */
  readonly liveProgress?: boolean;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** The outcome of {@linkcode ensureJars}. */
export interface EnsuredJars {
  /** Absolute jar paths, in the order of the artifacts given. */
  readonly jars: readonly string[];
  /** How many were downloaded now (the rest came from the cache). */
  readonly downloaded: number;
  /** Bytes downloaded now. */
  readonly bytes: number;
}

/**
 * Makes sure every artifact is in the cache, downloading what is missing,
 * and returns the jar paths. Throws a {@linkcode LauncherError}: `download`
 * (404 and other HTTP errors, or transient failures after every attempt),
 * `checksum` (SHA-1 or pinned digest mismatch), `lock` (bytes differ from the lock),
 * `offline` (a jar missing with `offline`).
 */
export async function ensureJars(
  artifacts: readonly MavenArtifact[],
  options: EnsureJarsOptions,
): Promise<EnsuredJars> {
  const repository = options.repository ?? MAVEN_CENTRAL;
  const jars = artifacts.map((artifact) => cachedJarPath(options.cacheDir, artifact));
  if (options.expected !== undefined) await checkCachedJars(artifacts, options.cacheDir, options.expected);
  const missing = await findMissingJars(artifacts, options.cacheDir);
  if (missing.length === 0) return { jars, downloaded: 0, bytes: 0 };
  const log = options.log ?? (() => {});
  const first = missing[0];
  if (options.offline === true && first !== undefined) {
    throw new LauncherError(
      "offline",
      `Cannot run offline: ${missing.length} of ${artifacts.length} jars are not in the cache ${
        join(options.cacheDir, "jars")
      } (first missing: ${artifactName(first)})`,
    );
  }
  log(`Downloading ${missing.length} of ${artifacts.length} jars from ${repository}\n`);
  const progress = createProgress(missing.length, log, options.liveProgress === true);
  const context: JarDownload = {
    repository,
    cacheDir: options.cacheDir,
    retry: resolveRetry(options.retry, DOWNLOAD_RETRY),
    idleTimeoutMs: idleTimeout(options.idleTimeoutMs),
    wait: options.wait,
    expected: options.expected,
    fetch: options.fetch ?? fetch,
    onBytes: (count) => progress.addBytes(count),
  };
  const queue = [...missing];
  let failure: unknown;
  const worker = async (): Promise<void> => {
    // Stop taking new work after the first failure; let running downloads end.
    while (failure === undefined) {
      const artifact = queue.shift();
      if (artifact === undefined) return;
      try {
        await downloadJar(artifact, context);
        progress.jarDone();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 6, missing.length));
  await Promise.all(Array.from({ length: workers }, worker));
  progress.finish();
  if (failure !== undefined) throw failure;
  log(`Downloaded ${missing.length} jars (${formatBytes(progress.bytes)}) into ${join(options.cacheDir, "jars")}\n`);
  return { jars, downloaded: missing.length, bytes: progress.bytes };
}

/** The idle timeout option, checked: a positive number of milliseconds. */
function idleTimeout(ms: number | undefined): number {
  if (ms === undefined) return DOWNLOAD_IDLE_TIMEOUT_MS;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new RangeError(`Cannot configure downloads: idleTimeoutMs must be a positive number, got ${ms}`);
  }
  return ms;
}
