/**
 * Downloads jars from a Maven repository into the cache: parallel (bounded),
 * each verified against the repository's `.sha1` before it is moved into
 * place (temporary file → verify → rename, so a crash never leaves a
 * corrupt jar), retried with backoff on network errors, 429 and 5xx.
 *
 * @module
 */

import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { cachedJarPath, isCachedJarValid, writeVerifiedNote } from "./jar_cache.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName, artifactPath, type MavenArtifact, repositoryUrl } from "./maven_artifact.ts";
import { createProgress, formatBytes } from "./progress.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, TransientError, withRetry } from "./retry.ts";
import { parseSha1File, sha1Hex } from "./sha1.ts";

/**
 * Maven Central, the default repository.
 *
 * @example The URL a jar is downloaded from by default
 * ```ts
 * import { artifactPath, MAVEN_CENTRAL, parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseCliArgs(["-p", "app.properties"]).repository, MAVEN_CENTRAL);
 * assert.equal(
 *   `${MAVEN_CENTRAL}/${artifactPath({ groupId: "org.slf4j", artifactId: "slf4j-api", version: "2.0.13" })}`,
 *   "https://repo1.maven.org/maven2/org/slf4j/slf4j-api/2.0.13/slf4j-api-2.0.13.jar",
 * );
 * ```
 */
export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

/**
 * How to fill the cache.
 *
 * @example Check a cache without touching the network
 * ```ts
 * import { ensureJars, type EnsureJarsOptions, findClasspathSet, LauncherError } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const options: EnsureJarsOptions = {
 *   repository: "https://maven.example.com/maven2",
 *   cacheDir: join(tmpdir(), `empty-kcl-cache-${crypto.randomUUID()}`),
 *   offline: true,
 *   fetch: () => Promise.reject(new Error("no request expected offline")),
 * };
 * await assert.rejects(
 *   ensureJars(findClasspathSet("3.1.3")?.artifacts ?? [], options),
 *   (error) => error instanceof LauncherError && error.kind === "offline" && /79 of 79 jars/.test(error.message),
 * );
 * ```
 */
export interface EnsureJarsOptions {
  /** Repository base URL (default {@linkcode MAVEN_CENTRAL}). */
  readonly repository?: string;
  /** Cache root; jars go to `<cacheDir>/jars/<maven layout>`. */
  readonly cacheDir: string;
  /** Use the cache only; a missing jar is an `offline` error. */
  readonly offline?: boolean;
  /** Downloads in flight at once (default 6). */
  readonly concurrency?: number;
  /** Retry policy for transient failures (default {@linkcode DEFAULT_RETRY_POLICY}). */
  readonly retry?: RetryPolicy;
  /** Messages (start and end lines, live progress) go here, e.g. stderr. */
  readonly log?: (text: string) => void;
  /** Redraw a live progress line (stderr is a terminal). */
  readonly liveProgress?: boolean;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/**
 * The outcome of {@linkcode ensureJars}.
 *
 * @example Download from an in-memory repository, then hit the cache
 * ```ts
 * import { artifactPath, type EnsuredJars, ensureJars, sha1Hex } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const artifact = { groupId: "com.example", artifactId: "tool", version: "1.0.0" };
 * const jar = "PK not really a jar";
 * const url = `https://maven.example.com/maven2/${artifactPath(artifact)}`;
 * const files = new Map([[url, jar], [`${url}.sha1`, await sha1Hex(new TextEncoder().encode(jar))]]);
 * const cacheDir = await mkdtemp(join(tmpdir(), "kcl-cache-"));
 * const options = {
 *   repository: "https://maven.example.com/maven2",
 *   cacheDir,
 *   fetch: (input: RequestInfo | URL) =>
 *     Promise.resolve(new Response(files.get(String(input)) ?? null, { status: files.has(String(input)) ? 200 : 404 })),
 * };
 *
 * const first: EnsuredJars = await ensureJars([artifact], options);
 * assert.deepEqual(first, {
 *   jars: [join(cacheDir, "jars", "com", "example", "tool", "1.0.0", "tool-1.0.0.jar")],
 *   downloaded: 1,
 *   bytes: jar.length,
 * });
 * const second: EnsuredJars = await ensureJars([artifact], { ...options, offline: true });
 * assert.deepEqual(second, { jars: first.jars, downloaded: 0, bytes: 0 });
 * await rm(cacheDir, { recursive: true });
 * ```
 */
export interface EnsuredJars {
  /** Absolute jar paths, in the order of the artifacts given. */
  readonly jars: readonly string[];
  /** How many were downloaded now (the rest came from the cache). */
  readonly downloaded: number;
  /** Bytes downloaded now. */
  readonly bytes: number;
}

/**
 * The artifacts not (validly) in the cache, in the order given.
 *
 * @example Nothing is cached in a fresh folder
 * ```ts ignore
 * import { findClasspathSet, findMissingJars } from "@kcl/multilang/launcher";
 * const missing = await findMissingJars(findClasspathSet("3.1.3")!.artifacts, "/tmp/empty-cache");
 * console.error(missing.length); // 79
 * ```
 */
export async function findMissingJars(
  artifacts: readonly MavenArtifact[],
  cacheDir: string,
): Promise<MavenArtifact[]> {
  const valid = await Promise.all(
    artifacts.map((artifact) => isCachedJarValid(cachedJarPath(cacheDir, artifact))),
  );
  return artifacts.filter((_, index) => !valid[index]);
}

/**
 * Makes sure every artifact is in the cache, downloading what is missing,
 * and returns the jar paths. Throws a {@linkcode LauncherError}: `download`
 * (404 and other HTTP errors, or transient failures after every retry),
 * `checksum` (digest mismatch), `offline` (a jar missing with `offline`).
 *
 * @example Fill a cache from a mirror
 * ```ts ignore
 * import { ensureJars, findClasspathSet } from "@kcl/multilang/launcher";
 * const { jars } = await ensureJars(findClasspathSet("3.1.3")!.artifacts, {
 *   repository: "https://maven.example.com/maven2",
 *   cacheDir: "/var/cache/kcl-multilang",
 *   log: (text) => console.error(text.trimEnd()),
 * });
 * ```
 */
export async function ensureJars(
  artifacts: readonly MavenArtifact[],
  options: EnsureJarsOptions,
): Promise<EnsuredJars> {
  const repository = options.repository ?? MAVEN_CENTRAL;
  const jars = artifacts.map((artifact) => cachedJarPath(options.cacheDir, artifact));
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
  log(
    `Downloading ${missing.length} of ${artifacts.length} jars from ${repository}\n`,
  );
  const progress = createProgress(
    missing.length,
    log,
    options.liveProgress === true,
  );
  const context: DownloadContext = {
    repository,
    cacheDir: options.cacheDir,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
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
  const workers = Math.max(
    1,
    Math.min(options.concurrency ?? 6, missing.length),
  );
  await Promise.all(Array.from({ length: workers }, worker));
  progress.finish();
  if (failure !== undefined) throw failure;
  log(
    `Downloaded ${missing.length} jars (${formatBytes(progress.bytes)}) into ${join(options.cacheDir, "jars")}\n`,
  );
  return { jars, downloaded: missing.length, bytes: progress.bytes };
}

interface DownloadContext {
  readonly repository: string;
  readonly cacheDir: string;
  readonly retry: RetryPolicy;
  readonly fetch: typeof fetch;
  readonly addBytes: (count: number) => void;
}

async function downloadJar(
  artifact: MavenArtifact,
  context: DownloadContext,
): Promise<void> {
  const name = artifactName(artifact);
  const jarUrl = repositoryUrl(context.repository, artifactPath(artifact));
  const sha1Url = `${jarUrl}.sha1`;
  const giveUp = (url: string) => (error: TransientError, attempts: number): Error =>
    new LauncherError(
      "download",
      `Cannot download ${name}: ${url} ${error.message} (gave up after ${attempts} ${
        attempts === 1 ? "attempt" : "attempts"
      })`,
    );

  const sha1Text = await withRetry(
    context.retry,
    async () => await (await get(context.fetch, sha1Url, name)).text(),
    giveUp(sha1Url),
  );
  const expected = parseSha1File(sha1Text);
  if (expected === undefined) {
    throw new LauncherError(
      "checksum",
      `Cannot verify ${name}: ${sha1Url} does not hold a SHA-1 digest`,
    );
  }

  const jar = cachedJarPath(context.cacheDir, artifact);
  await mkdir(dirname(jar), { recursive: true });
  const temporary = `${jar}.${crypto.randomUUID()}.part`;
  try {
    const size = await withRetry(
      context.retry,
      () => fetchToFile(context, jarUrl, name, temporary),
      giveUp(jarUrl),
    );
    const actual = await sha1Hex(await readFile(temporary));
    if (actual !== expected) {
      throw new LauncherError(
        "checksum",
        `Cannot verify ${name}: the SHA-1 of ${jarUrl} is ${actual}, but ${sha1Url} says ${expected}`,
      );
    }
    await rename(temporary, jar);
    await writeVerifiedNote(jar, expected, size);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** GETs `url`; 2xx resolves, 429/5xx/network errors are transient, other statuses fatal. */
async function get(
  fetcher: typeof fetch,
  url: string,
  name: string,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(url, { redirect: "follow" });
  } catch (error) {
    throw new TransientError(
      `failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (response.ok) return response;
  await response.body?.cancel();
  const status = `returned HTTP ${response.status}`;
  if (response.status === 429 || response.status >= 500) {
    const seconds = Number(response.headers.get("retry-after"));
    throw new TransientError(
      status,
      Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
    );
  }
  throw new LauncherError(
    "download",
    `Cannot download ${name}: ${url} ${status}`,
  );
}

/** Streams `url` into `file` (truncating it), reporting bytes; resolves with the size. */
async function fetchToFile(
  context: DownloadContext,
  url: string,
  name: string,
  file: string,
): Promise<number> {
  const response = await get(context.fetch, url, name);
  const handle = await open(file, "w");
  let size = 0;
  try {
    if (response.body === null) return 0;
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // A connection cut mid-body is as transient as one that never opened.
        context.addBytes(-size);
        throw new TransientError(
          `failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (chunk.done) return size;
      await handle.write(chunk.value);
      size += chunk.value.length;
      context.addBytes(chunk.value.length);
    }
  } finally {
    await handle.close();
  }
}
