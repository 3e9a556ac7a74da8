/**
 * `--fetch` and the first half of a run: every jar of the set into the cache
 * (verified), then the lock file when there was none.
 *
 * @module
 */

import { createLock, proxyWarning } from "./_launch_steps.ts";
import type { PreparedLaunch } from "./_launch_prepare.ts";
import { ensureJars, type EnsureJarsOptions } from "./_maven_download.ts";
import type { ClasspathSet } from "./classpath_sets.ts";

/** Where and how to fetch. */
export interface FetchInput {
  readonly set: ClasspathSet;
  readonly cacheDir: string;
  readonly cwd: string;
  readonly lockFile: string;
  readonly offline: boolean;
  readonly runtime: "deno" | "bun" | "node" | undefined;
  readonly env: (name: string) => string | undefined;
  readonly log: (text: string) => void;
  readonly download: Pick<
    EnsureJarsOptions,
    "repository" | "liveProgress" | "concurrency" | "retry" | "fetch"
  >;
}

/** Fills the cache, writes the lock if there was none, and resolves with the jar paths in classpath order. */
export async function fetchJars(prepared: PreparedLaunch, input: FetchInput): Promise<readonly string[]> {
  const { set, log } = input;
  const proxy = input.offline ? undefined : proxyWarning(input.runtime, input.env);
  if (proxy !== undefined) log(`warning: ${proxy}\n`);
  const { jars } = await ensureJars(set.artifacts, {
    ...input.download,
    cacheDir: input.cacheDir,
    offline: input.offline,
    expected: prepared.expected,
    log,
  });
  if (prepared.lock === undefined) await createLock(set, input.cacheDir, input.lockFile, input.cwd, log);
  return jars;
}
