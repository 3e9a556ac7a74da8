/**
 * Downloads jars from a Maven repository into the cache: parallel (bounded),
 * each verified against the repository's `.sha1`, and against the lock file
 * when there is one, before it is moved into place (temporary file → verify
 * → rename, so a crash never leaves a corrupt jar), retried with backoff on
 * network errors, 429, 5xx and a repository that stops sending (no data for
 * {@linkcode DOWNLOAD_IDLE_TIMEOUT_MS}).
 *
 * @module
 */

import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { permissionRefusal } from "../runtime/cli.ts";
import { resolveRetry, retry, type RetryOptions } from "../session/retry.ts";
import { parseSha1File, sha1Hex, sha256Hex } from "./_digest.ts";
import { describeError } from "../session/describe_error.ts";
import { cachedJarPath, cachedSha256, readVerifiedNote, writeVerifiedNote } from "./_jar_cache.ts";
import { compareWithLock, type JarLock, type LockMismatch, lockMismatchError } from "./_lock_file.ts";
import { createProgress, formatBytes } from "./_progress.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName, artifactPath, type MavenArtifact, repositoryUrl } from "./maven_artifact.ts";

/** Maven Central, the default repository. */
export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

/** The default download retries: 5 attempts, delays up to 0.5, 1, 2, 4 s. */
export const DOWNLOAD_RETRY: Required<RetryOptions> = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** How long a download may go without receiving a byte before the attempt fails (and is retried): 30 s. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

/** A lock file to verify every jar against, and its name for messages. */
export interface LockCheck {
  /** The parsed lock, already checked against the set. */
  readonly lock: JarLock;
  /** The lock file as the user named it. */
  readonly file: string;
}

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
  /** Every jar, cached or downloaded, must match this lock. */
  readonly lock?: LockCheck | undefined;
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

/** The artifacts not (validly) in the cache, in the order given. */
export async function findMissingJars(artifacts: readonly MavenArtifact[], cacheDir: string): Promise<MavenArtifact[]> {
  const notes = await Promise.all(artifacts.map((artifact) => readVerifiedNote(cachedJarPath(cacheDir, artifact))));
  return artifacts.filter((_, index) => notes[index] === undefined);
}

/** A cached jar whose bytes differ from the lock. */
export interface CachedLockMismatch extends LockMismatch {
  /** The jar's path in the cache. */
  readonly jar: string;
}

/** The cached jars compared with the lock: how many are cached, and which of them differ. */
export interface CacheLockComparison {
  /** How many of the artifacts are (validly) in the cache. */
  readonly cached: number;
  /** The cached jars that differ from the lock, in the order of the artifacts. */
  readonly mismatches: readonly CachedLockMismatch[];
}

/**
 * Compares every cached jar of `artifacts` with `lock` (jars not cached are
 * skipped): by its verified note, which the cache writes only for verified
 * jars, or with `rehash` by its bytes (`--check`, which must not trust the
 * cache's own notes).
 */
export async function compareCacheWithLock(
  artifacts: readonly MavenArtifact[],
  cacheDir: string,
  lock: JarLock,
  options: { readonly rehash: boolean },
): Promise<CacheLockComparison> {
  let cached = 0;
  const mismatches: CachedLockMismatch[] = [];
  for (const artifact of artifacts) {
    const jar = cachedJarPath(cacheDir, artifact);
    const note = await readVerifiedNote(jar);
    if (note === undefined) continue;
    cached++;
    let actual: { sha256: string; size: number };
    if (options.rehash) {
      const bytes = await readFile(jar);
      actual = { sha256: await sha256Hex(bytes), size: bytes.length };
    } else {
      actual = { sha256: await cachedSha256(jar, note), size: note.size };
    }
    const mismatch = compareWithLock(lock, artifactName(artifact), actual);
    if (mismatch !== undefined) mismatches.push({ ...mismatch, jar });
  }
  return { cached, mismatches };
}

/**
 * Throws a `lock` error for the first cached jar whose verified note
 * disagrees with the lock (notes, not bytes: the cache holds only verified
 * jars; `--check` re-hashes). Jars not cached are skipped.
 */
export async function checkCachedJarsAgainstLock(
  artifacts: readonly MavenArtifact[],
  cacheDir: string,
  check: LockCheck,
): Promise<void> {
  const [first] = (await compareCacheWithLock(artifacts, cacheDir, check.lock, { rehash: false })).mismatches;
  if (first !== undefined) {
    throw lockMismatchError(
      first,
      check.file,
      `the cached ${first.jar}`,
      "delete it to download it again, or re-create the lock on a trusted machine if the lock is outdated",
    );
  }
}

/**
 * Makes sure every artifact is in the cache, downloading what is missing,
 * and returns the jar paths. Throws a {@linkcode LauncherError}: `download`
 * (404 and other HTTP errors, or transient failures after every attempt),
 * `checksum` (SHA-1 mismatch), `lock` (bytes differ from the lock),
 * `offline` (a jar missing with `offline`).
 */
export async function ensureJars(
  artifacts: readonly MavenArtifact[],
  options: EnsureJarsOptions,
): Promise<EnsuredJars> {
  const repository = options.repository ?? MAVEN_CENTRAL;
  const jars = artifacts.map((artifact) => cachedJarPath(options.cacheDir, artifact));
  if (options.lock !== undefined) await checkCachedJarsAgainstLock(artifacts, options.cacheDir, options.lock);
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
  const context: DownloadContext = {
    repository,
    cacheDir: options.cacheDir,
    retry: resolveRetry(options.retry, DOWNLOAD_RETRY),
    idleTimeoutMs: idleTimeout(options.idleTimeoutMs),
    wait: options.wait,
    lock: options.lock,
    fetch: options.fetch ?? fetch,
    addBytes: (count) => progress.addBytes(count),
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

interface DownloadContext {
  readonly repository: string;
  readonly cacheDir: string;
  readonly retry: Required<RetryOptions>;
  readonly idleTimeoutMs: number;
  readonly wait: ((ms: number) => Promise<void>) | undefined;
  readonly lock: LockCheck | undefined;
  readonly fetch: typeof fetch;
  readonly addBytes: (count: number) => void;
}

/** A failure worth another attempt (network error, 429, 5xx). */
class TransientError extends Error {
  /** The delay the server asked for (`Retry-After`), if any. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = "TransientError";
    this.retryAfterMs = retryAfterMs;
  }
}

/** Runs `operation` under the retry policy; a last transient failure becomes a `download` error. */
async function withRetries<T>(
  context: DownloadContext,
  name: string,
  url: string,
  operation: () => Promise<T>,
): Promise<T> {
  let attempts = 0;
  try {
    return await retry(
      (attempt) => {
        attempts = attempt;
        return operation();
      },
      context.retry,
      {
        retryable: (error) => error instanceof TransientError,
        minDelayMs: (error) => error instanceof TransientError ? error.retryAfterMs : undefined,
        ...(context.wait === undefined ? {} : { wait: context.wait }),
      },
    );
  } catch (error) {
    if (!(error instanceof TransientError)) throw error;
    throw new LauncherError(
      "download",
      `Cannot download ${name}: ${url} ${error.message} (gave up after ${attempts} ${
        attempts === 1 ? "attempt" : "attempts"
      })`,
      { cause: error.cause ?? error },
    );
  }
}

async function downloadJar(artifact: MavenArtifact, context: DownloadContext): Promise<void> {
  const name = artifactName(artifact);
  const jarUrl = repositoryUrl(context.repository, artifactPath(artifact));
  const sha1Url = `${jarUrl}.sha1`;

  const sha1Text = await withRetries(
    context,
    name,
    sha1Url,
    () => watched(context, async (watch) => await watch.guard((await get(context.fetch, sha1Url, name, watch)).text())),
  );
  const expected = parseSha1File(sha1Text);
  if (expected === undefined) {
    throw new LauncherError("checksum", `Cannot verify ${name}: ${sha1Url} does not hold a SHA-1 digest`);
  }

  const jar = cachedJarPath(context.cacheDir, artifact);
  await mkdir(dirname(jar), { recursive: true });
  const temporary = `${jar}.${crypto.randomUUID()}.part`;
  try {
    const size = await withRetries(
      context,
      name,
      jarUrl,
      () => watched(context, (watch) => fetchToFile(context, jarUrl, name, temporary, watch)),
    );
    const bytes = await readFile(temporary);
    const actual = await sha1Hex(bytes);
    if (actual !== expected) {
      throw new LauncherError(
        "checksum",
        `Cannot verify ${name}: the SHA-1 of ${jarUrl} is ${actual}, but ${sha1Url} says ${expected}`,
      );
    }
    const sha256 = await sha256Hex(bytes);
    const mismatch = context.lock === undefined
      ? undefined
      : compareWithLock(context.lock.lock, name, { sha256, size });
    if (mismatch !== undefined) {
      throw lockMismatchError(
        mismatch,
        context.lock?.file ?? "",
        `the jar downloaded from ${jarUrl}`,
        "the repository serves other bytes than when the lock was made (its .sha1 matches them): check the repository or mirror (--repository)",
      );
    }
    await rename(temporary, jar);
    await writeVerifiedNote(jar, { sha1: expected, size, sha256 });
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * One attempt's watch for a repository that stops sending: after
 * `idleTimeoutMs` without progress the attempt fails as transient (the
 * request is aborted, and whatever `guard` waits for rejects at once, even
 * where an abort does not reach a pending read).
 */
class IdleWatch {
  /** Aborts the request when the attempt goes idle. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #idle: Promise<never>;
  #fail: (error: TransientError) => void = () => {};
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
    this.signal = this.#controller.signal;
    this.#idle = new Promise<never>((_, reject) => this.#fail = reject);
    this.#idle.catch(() => {});
    this.progress();
  }

  /** Restarts the idle time: the response or a chunk of the body arrived. */
  progress(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const error = new TransientError(`sent no data for ${this.#ms / 1000} s`);
      this.#controller.abort(error);
      this.#fail(error);
    }, this.#ms);
  }

  /** `step`, or the idle failure if it comes first. */
  guard<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#idle]);
  }

  /** Ends the watch (the attempt is over). */
  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** Runs one attempt under an {@linkcode IdleWatch}. */
async function watched<T>(context: DownloadContext, attempt: (watch: IdleWatch) => Promise<T>): Promise<T> {
  const watch = new IdleWatch(context.idleTimeoutMs);
  try {
    return await attempt(watch);
  } finally {
    watch.stop();
  }
}

/** GETs `url`; 2xx resolves, 429/5xx/network errors/no answer are transient, other statuses fatal. */
async function get(fetcher: typeof fetch, url: string, name: string, watch: IdleWatch): Promise<Response> {
  let response: Response;
  try {
    response = await watch.guard(fetcher(url, { redirect: "follow", signal: watch.signal }));
  } catch (error) {
    if (error instanceof TransientError) throw error;
    // A refused permission is no network hiccup: report it at once, with its flag.
    if (permissionRefusal(error) !== undefined) throw error;
    throw new TransientError(`failed: ${describeError(error)}`, undefined, { cause: error });
  }
  watch.progress();
  if (response.ok) return response;
  await response.body?.cancel();
  const status = `returned HTTP ${response.status}`;
  if (response.status === 429 || response.status >= 500) {
    const seconds = Number(response.headers.get("retry-after"));
    throw new TransientError(status, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined);
  }
  throw new LauncherError("download", `Cannot download ${name}: ${url} ${status}`);
}

/** Streams `url` into `file` (truncating it), reporting bytes; resolves with the size. */
async function fetchToFile(
  context: DownloadContext,
  url: string,
  name: string,
  file: string,
  watch: IdleWatch,
): Promise<number> {
  const response = await get(context.fetch, url, name, watch);
  const handle = await open(file, "w");
  let size = 0;
  try {
    if (response.body === null) return 0;
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await watch.guard(reader.read());
      } catch (error) {
        // A connection cut (or gone quiet) mid-body is as transient as one that never opened.
        context.addBytes(-size);
        reader.cancel(error).catch(() => {});
        if (error instanceof TransientError) throw error;
        throw new TransientError(`failed: ${describeError(error)}`, undefined, { cause: error });
      }
      if (chunk.done) return size;
      watch.progress();
      await handle.write(chunk.value);
      size += chunk.value.length;
      context.addBytes(chunk.value.length);
    }
  } finally {
    await handle.close();
  }
}
