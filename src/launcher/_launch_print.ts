/**
 * `--print`: the daemon's command line with the cached jar paths, downloading
 * nothing; a warning names the jars the cache still lacks.
 *
 * @module
 */

import { join } from "node:path";
import { checkCachedJars, findMissingJars } from "./_cache_check.ts";
import { shellQuote } from "./_daemon_command.ts";
import { cachedJarPath } from "./_jar_cache.ts";
import type { PreparedLaunch } from "./_launch_prepare.ts";
import { listNames } from "./_messages.ts";
import type { ClasspathSet } from "./classpath_sets.ts";
import { artifactName } from "./maven_artifact.ts";

/** Prints the command (refusing cached jars that differ from what is expected) and resolves with 0. */
export async function printCommand(
  prepared: PreparedLaunch,
  set: ClasspathSet,
  cacheDir: string,
  print: (text: string) => void | Promise<void>,
  log: (text: string) => void,
): Promise<number> {
  if (prepared.expected !== undefined) await checkCachedJars(set.artifacts, cacheDir, prepared.expected);
  const jars = set.artifacts.map((artifact) => cachedJarPath(cacheDir, artifact));
  await print(`${shellQuote(prepared.command(jars))}\n`);
  const missing = await findMissingJars(set.artifacts, cacheDir);
  if (missing.length > 0) {
    log(
      `warning: ${missing.length} of ${set.artifacts.length} jars are not in the cache ${join(cacheDir, "jars")} yet (${
        listNames(missing.map(artifactName))
      }): the command fails until they are; download them with --fetch instead of --print\n`,
    );
  }
  return 0;
}
