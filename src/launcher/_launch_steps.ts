/**
 * Steps both the launch pipeline and `--check` take: choosing the set,
 * reading the properties, the proxy warning, writing the lock file.
 *
 * @module
 */

import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { closestName } from "../cli/closest_name.ts";
import { cachedJarPath, cachedSha256, readVerifiedNote } from "./_jar_cache.ts";
import { type JarLock, type LockedJar, writeLock } from "./_lock_file.ts";
import { fileErrorReason } from "./_messages.ts";
import { CLASSPATH_SETS, type ClasspathSet, findClasspathSet } from "./classpath_sets.ts";
import { LauncherError } from "./launcher_error.ts";
import { artifactName } from "./maven_artifact.ts";
import { decodeLatin1, parseProperties, type PropertyEntry } from "./properties_parser.ts";

/** The set for `--kcl <kcl>`; an unknown release is a usage error naming the known ones. */
export function selectSet(kcl: string): ClasspathSet {
  const set = findClasspathSet(kcl);
  if (set !== undefined) return set;
  const known = CLASSPATH_SETS.map((s) => s.kcl).join(", ");
  const suggestion = closestName(kcl, CLASSPATH_SETS.map((s) => s.kcl));
  throw new LauncherError(
    "usage",
    `Cannot find a classpath set for KCL ${kcl}: known releases are ${known}${
      suggestion === undefined ? "" : `; did you mean ${suggestion}?`
    }`,
  );
}

/**
 * `url` when it is an http(s) URL, the only repositories the launcher can
 * download from; anything else is a usage error (exit 2) before any download.
 */
export function requireRepositoryUrl(url: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new LauncherError(
      "usage",
      `Cannot use the repository \`${url}\`: it is not a URL; pass --repository https://<host>/<path>`,
    );
  }
  if (protocol !== "https:" && protocol !== "http:") {
    throw new LauncherError(
      "usage",
      `Cannot use the repository \`${url}\`: the launcher downloads over https or http, not ${
        protocol.slice(0, -1)
      }; pass --repository https://<host>/<path>`,
    );
  }
  return url;
}

/**
 * Reads and parses the properties file: one that cannot be read is a usage
 * error (the command line names it), one that cannot be parsed a `properties` error.
 */
export async function readPropertiesFile(file: string, cwd: string): Promise<PropertyEntry[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (error) {
    throw new LauncherError("usage", `Cannot read the properties file ${file}: ${fileErrorReason(error)}`, {
      cause: error,
    });
  }
  return parseProperties(decodeLatin1(bytes));
}

/** Throws a usage error unless `file` (`--log-configuration`) is a file. */
export async function requireLogConfiguration(file: string, cwd: string): Promise<void> {
  try {
    if ((await stat(resolve(cwd, file))).isFile()) return;
  } catch (error) {
    throw new LauncherError("usage", `Cannot find the log configuration ${file}: ${fileErrorReason(error)}`, {
      cause: error,
    });
  }
  throw new LauncherError("usage", `Cannot use the log configuration ${file}: it is not a file`);
}

/**
 * The warning for a proxy Node's `fetch` will ignore, or `undefined`: Deno's
 * and Bun's `fetch` honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY, Node's only with
 * NODE_USE_ENV_PROXY=1 (Node 24.5+), read at start-up.
 */
export function proxyWarning(
  runtime: "deno" | "bun" | "node" | undefined,
  env: (name: string) => string | undefined,
): string | undefined {
  if (runtime !== "node" || env("NODE_USE_ENV_PROXY") === "1") return undefined;
  const variable = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].find((name) => (env(name) ?? "") !== "");
  if (variable === undefined) return undefined;
  return `${variable} is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1 is set; downloads go direct`;
}

/** The lock of `set` from the (complete, verified) cache: SHA-256 from the notes, hashing where they lack it. */
export async function lockFromCache(set: ClasspathSet, cacheDir: string): Promise<JarLock> {
  const jars = new Map<string, LockedJar>();
  for (const artifact of set.artifacts) {
    const jar = cachedJarPath(cacheDir, artifact);
    const note = await readVerifiedNote(jar);
    if (note === undefined) throw new Error(`Cannot lock ${artifactName(artifact)}: it is not in the cache`);
    jars.set(artifactName(artifact), { sha256: await cachedSha256(jar, note), size: note.size });
  }
  return { kcl: set.kcl, jars };
}

/**
 * Writes the lock of `set` to `file` and says so; a lock that cannot be
 * written is a warning (the run itself is sound), naming `--lock`.
 */
export async function createLock(
  set: ClasspathSet,
  cacheDir: string,
  file: string,
  cwd: string,
  log: (text: string) => void,
): Promise<void> {
  const lock = await lockFromCache(set, cacheDir);
  try {
    await writeLock(file, cwd, lock);
  } catch (error) {
    log(
      `warning: Cannot write the lock file ${file}: ${
        fileErrorReason(error)
      }; pass --lock <file> to write it elsewhere\n`,
    );
    return;
  }
  log(`Locked the ${lock.jars.size} jars of KCL ${set.kcl} in ${file}: commit it beside the properties file\n`);
}
