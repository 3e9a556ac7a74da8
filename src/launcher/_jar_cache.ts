/**
 * The per-user jar cache: Maven layout under `<cache>/jars`, each jar with a
 * `.verified` note (`<sha1> <size>`) written only after the jar was checked
 * against the repository's digest. A jar without its note, or whose size
 * differs from it, is not trusted and is fetched again.
 *
 * @module
 */

import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { artifactPath, type MavenArtifact } from "./maven_artifact.ts";

/** Where `artifact` lives in the cache rooted at `cacheDir`. */
export function cachedJarPath(
  cacheDir: string,
  artifact: MavenArtifact,
): string {
  return join(cacheDir, "jars", ...artifactPath(artifact).split("/"));
}

/**
 * Whether the cached jar at `jar` is complete and was verified: its note
 * exists and records the jar's current size (cheap: no re-hashing).
 */
export async function isCachedJarValid(jar: string): Promise<boolean> {
  try {
    const [note, info] = await Promise.all([
      readFile(`${jar}.verified`, "utf8"),
      stat(jar),
    ]);
    const [sha1, size] = note.trim().split(" ");
    return /^[0-9a-f]{40}$/.test(sha1 ?? "") && Number(size) === info.size;
  } catch {
    return false;
  }
}

/** Records that `jar` (already in place) matched `sha1`; written atomically. */
export async function writeVerifiedNote(
  jar: string,
  sha1: string,
  size: number,
): Promise<void> {
  const temporary = `${jar}.verified.${crypto.randomUUID()}.part`;
  await writeFile(temporary, `${sha1} ${size}\n`);
  await rename(temporary, `${jar}.verified`);
}
