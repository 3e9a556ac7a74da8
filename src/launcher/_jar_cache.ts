/**
 * The per-user jar cache: Maven layout under `<cache>/jars`, each jar with a
 * `.verified` note (`<sha1> <size> <sha256>`) written only after the jar was
 * verified (against its pinned or locked SHA-256 and size, or the repository's `.sha1`). A jar without its note, or whose
 * size differs from it, is not trusted and is fetched again.
 *
 * @module
 */

import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { permissionRefusal } from "../runtime/cli.ts";
import { sha256Hex } from "./_digest.ts";
import { artifactPath, type MavenArtifact } from "./maven_artifact.ts";

/** What a `.verified` note records. */
export interface VerifiedNote {
  /** The jar's SHA-1 (for a jar without a pinned or locked digest: the one the repository published). */
  readonly sha1: string;
  /** The jar's size in bytes. */
  readonly size: number;
  /** The jar's SHA-256 (notes written before lock files existed lack it). */
  readonly sha256: string | undefined;
}

/** Where `artifact` lives in the cache rooted at `cacheDir`. */
export function cachedJarPath(cacheDir: string, artifact: MavenArtifact): string {
  return join(cacheDir, "jars", ...artifactPath(artifact).split("/"));
}

/**
 * The note of the cached jar at `jar` when the jar is complete and was
 * verified (its note exists and records the jar's current size; cheap: no
 * re-hashing), else `undefined`.
 */
export async function readVerifiedNote(jar: string): Promise<VerifiedNote | undefined> {
  try {
    const [note, info] = await Promise.all([readFile(`${jar}.verified`, "utf8"), stat(jar)]);
    const [sha1 = "", size, sha256] = note.trim().split(" ");
    if (!/^[0-9a-f]{40}$/.test(sha1) || Number(size) !== info.size) return undefined;
    return {
      sha1,
      size: info.size,
      sha256: sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : undefined,
    };
  } catch (error) {
    if (permissionRefusal(error) !== undefined) throw error;
    return undefined;
  }
}

/** Records that `jar` (already in place) was verified; written atomically. */
export async function writeVerifiedNote(jar: string, note: VerifiedNote): Promise<void> {
  const temporary = `${jar}.verified.${crypto.randomUUID()}.part`;
  await writeFile(temporary, `${note.sha1} ${note.size}${note.sha256 === undefined ? "" : ` ${note.sha256}`}\n`);
  await rename(temporary, `${jar}.verified`);
}

/** The cached jar's SHA-256 from its note, hashing the jar (and completing the note) when the note lacks it. */
export async function cachedSha256(jar: string, note: VerifiedNote): Promise<string> {
  if (note.sha256 !== undefined) return note.sha256;
  const sha256 = await sha256Hex(await readFile(jar));
  // Completing the note only saves hashing next time: a read-only cache (or --print without --allow-write) still works.
  await writeVerifiedNote(jar, { ...note, sha256 }).catch(() => {});
  return sha256;
}
