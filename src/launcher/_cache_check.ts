/**
 * What the jar cache holds of a set: which jars are missing, and which cached
 * ones differ from the expected digests (the lock's, or the set's pinned ones).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { sha256Hex } from "./_digest.ts";
import { cachedJarPath, cachedSha256, readVerifiedNote } from "./_jar_cache.ts";
import { compareDigest, type DigestMismatch, digestMismatchError, type ExpectedDigests } from "./_jar_digests.ts";
import { artifactName, type MavenArtifact } from "./maven_artifact.ts";

/** The artifacts not (validly) in the cache, in the order given. */
export async function findMissingJars(artifacts: readonly MavenArtifact[], cacheDir: string): Promise<MavenArtifact[]> {
  const notes = await Promise.all(artifacts.map((artifact) => readVerifiedNote(cachedJarPath(cacheDir, artifact))));
  return artifacts.filter((_, index) => notes[index] === undefined);
}

/** A cached jar whose bytes differ from what is expected. */
export interface CachedMismatch extends DigestMismatch {
  /** The jar's path in the cache. */
  readonly jar: string;
}

/** The cached jars compared with the expected digests: how many are cached, and which of them differ. */
export interface CacheComparison {
  /** How many of the artifacts are (validly) in the cache. */
  readonly cached: number;
  /** The cached jars that differ, in the order of the artifacts. */
  readonly mismatches: readonly CachedMismatch[];
}

/**
 * Compares every cached jar of `artifacts` with `expected` (jars not cached
 * are skipped): by its verified note, which the cache writes only for
 * verified jars, or with `rehash` by its bytes (`--check`, which must not
 * trust the cache's own notes).
 */
export async function compareCache(
  artifacts: readonly MavenArtifact[],
  cacheDir: string,
  expected: ExpectedDigests,
  options: { readonly rehash: boolean },
): Promise<CacheComparison> {
  let cached = 0;
  const mismatches: CachedMismatch[] = [];
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
    const mismatch = compareDigest(expected, artifactName(artifact), actual);
    if (mismatch !== undefined) mismatches.push({ ...mismatch, jar });
  }
  return { cached, mismatches };
}

/**
 * Throws for the first cached jar whose verified note disagrees with
 * `expected` (notes, not bytes: the cache holds only verified jars; `--check`
 * re-hashes). Jars not cached are skipped.
 */
export async function checkCachedJars(
  artifacts: readonly MavenArtifact[],
  cacheDir: string,
  expected: ExpectedDigests,
): Promise<void> {
  const [first] = (await compareCache(artifacts, cacheDir, expected, { rehash: false })).mismatches;
  if (first !== undefined) {
    throw digestMismatchError(
      first,
      expected,
      `the cached ${first.jar}`,
      expected.kind === "lock"
        ? "delete it to download it again, or re-create the lock on a trusted machine if the lock is outdated"
        : "delete it to download it again",
    );
  }
}
