/**
 * The lock file: the SHA-256 and size of every jar of a set, recorded after
 * the first verified download, so that every later run, on any host, refuses
 * a jar whose bytes differ (a repository's `.sha1` beside the jar catches
 * corruption, not a mirror that serves other bytes with a matching `.sha1`).
 *
 * The format is plain text, one jar a line, sorted, for review in diffs:
 *
 * ```text
 * # comment lines
 * kcl 3.1.3
 * com.amazonaws:dynamodb-lock-client:1.3.0 <sha256 hex> <size>
 * ```
 *
 * @module
 */

import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { ClasspathSet } from "./classpath_sets.ts";
import { fileErrorReason, listNames } from "./_messages.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName } from "./maven_artifact.ts";

/** What the lock says about one jar. */
export interface LockedJar {
  /** Lowercase hex SHA-256 of the jar. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
}

/** A parsed lock file. */
export interface JarLock {
  /** The set it locks (the KCL release). */
  readonly kcl: string;
  /** Artifact name (`group:artifact:version`) → digest. */
  readonly jars: ReadonlyMap<string, LockedJar>;
}

/** The default lock file of a properties file: beside it, `app.properties` → `app.kcl.lock`. */
export function defaultLockPath(propertiesFile: string): string {
  const name = basename(propertiesFile).replace(/\.properties$/, "");
  return join(dirname(propertiesFile), `${name}.kcl.lock`);
}

/** The lock file's text: a header, the set, then one jar a line sorted by name. */
export function formatLock(lock: JarLock): string {
  const lines = [...lock.jars.entries()]
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([name, jar]) => `${name} ${jar.sha256} ${jar.size}`);
  return [
    `# @kcl/multilang launcher lock file: the jars of KCL ${lock.kcl} by SHA-256 and size.`,
    "# Every run refuses a jar whose bytes differ. Commit it beside the properties file;",
    "# to lock new jars, delete it and run the launcher with --fetch on a trusted machine.",
    `kcl ${lock.kcl}`,
    ...lines,
    "",
  ].join("\n");
}

/** Parses lock file text; throws a `lock` error naming `file` and the line on anything else. */
export function parseLock(text: string, file: string): JarLock {
  const jars = new Map<string, LockedJar>();
  let kcl: string | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const bad = (why: string): never => {
      throw new LauncherError(
        "lock",
        `Cannot read the lock file ${file}: line ${
          index + 1
        } ${why}; restore it from version control, or delete it to lock again`,
      );
    };
    const words = line.split(/\s+/);
    if (words[0] === "kcl" && words.length === 2) {
      if (kcl !== undefined) bad("sets the KCL release a second time");
      kcl = words[1];
      continue;
    }
    const [name = "", sha256 = "", size = ""] = words;
    if (
      words.length !== 3 || ![3, 4].includes(name.split(":").length) || !/^[0-9a-f]{64}$/.test(sha256) ||
      !/^\d+$/.test(size)
    ) {
      bad("is not `kcl <release>` nor `<group:artifact:version> <sha256> <size>`");
    }
    if (jars.has(name)) bad(`lists ${name} a second time`);
    jars.set(name, { sha256, size: Number(size) });
  }
  if (kcl === undefined) {
    throw new LauncherError(
      "lock",
      `Cannot read the lock file ${file}: it has no \`kcl <release>\` line; restore it from version control, or delete it to lock again`,
    );
  }
  return { kcl, jars };
}

/** Reads the lock at `file` (resolved against `cwd`), or `undefined` when there is none. */
export async function readLock(file: string, cwd: string): Promise<JarLock | undefined> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw new LauncherError("lock", `Cannot read the lock file ${file}: ${fileErrorReason(error)}`, { cause: error });
  }
  return parseLock(text, file);
}

/** Writes the lock atomically (temporary file, then rename). */
export async function writeLock(file: string, cwd: string, lock: JarLock): Promise<void> {
  const target = resolve(cwd, file);
  const temporary = `${target}.${crypto.randomUUID()}.part`;
  try {
    await writeFile(temporary, formatLock(lock));
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Throws a `lock` error unless `lock` locks exactly `set`: the same release
 * and the same jars.
 */
export function checkLockMatchesSet(lock: JarLock, set: ClasspathSet, file: string): void {
  if (lock.kcl !== set.kcl) {
    throw new LauncherError(
      "lock",
      `Cannot use the lock file ${file}: it locks the jars of KCL ${lock.kcl}, but this run uses KCL ${set.kcl}; ` +
        `pass --kcl ${lock.kcl}, or --lock <another file> to lock KCL ${set.kcl} separately`,
    );
  }
  const names = set.artifacts.map(artifactName);
  const unlocked = names.filter((name) => !lock.jars.has(name));
  const extra = [...lock.jars.keys()].filter((name) => !names.includes(name));
  if (unlocked.length > 0 || extra.length > 0) {
    const differences = [
      ...(unlocked.length > 0 ? [`this launcher's set also needs ${listNames(unlocked)}`] : []),
      ...(extra.length > 0 ? [`the lock also has ${listNames(extra)}`] : []),
    ];
    throw new LauncherError(
      "lock",
      `Cannot use the lock file ${file}: it locks other jars than this launcher's KCL ${set.kcl} set (${
        differences.join("; ")
      }); re-create it on a trusted machine: delete it and run with --fetch`,
    );
  }
}
