/**
 * What every launch mode but `check` does first: lint the properties (errors
 * stop it), check the log configuration, find and check Java (saying when
 * JAVA_HOME was passed over), read the lock file, and settle which digests
 * the jars must match.
 *
 * @module
 */

import { delimiter } from "node:path";
import { buildDaemonCommand } from "./_daemon_command.ts";
import { checkJava, javaHomeWarning, locateJava } from "./_java_runtime.ts";
import { type ExpectedDigests, expectedDigests } from "./_jar_digests.ts";
import { readPropertiesFile, requireLogConfiguration } from "./_launch_steps.ts";
import { checkLockMatchesSet, type JarLock, readLock } from "./_lock_file.ts";
import type { ClasspathSet } from "./classpath_sets.ts";
import { LauncherError } from "./launcher_error.ts";
import { formatFinding, lintProperties } from "./properties_lint.ts";

/** What a launch starts from. */
export interface LaunchInput {
  readonly properties: string;
  readonly cwd: string;
  readonly set: ClasspathSet;
  readonly lockFile: string;
  readonly java: string | undefined;
  readonly logConfiguration: string | undefined;
  readonly env: (name: string) => string | undefined;
  readonly log: (text: string) => void;
}

/** A launch ready for its mode. */
export interface PreparedLaunch {
  /** The lock file's contents, when there is one (checked against the set). */
  readonly lock: JarLock | undefined;
  /** What every jar must match (the lock's digests, else the set's pinned ones). */
  readonly expected: ExpectedDigests | undefined;
  /** The daemon's command line for these jar paths. */
  readonly command: (jars: readonly string[]) => string[];
}

/** Runs the checks every mode but `check` shares; throws a {@linkcode LauncherError} for what a user must fix. */
export async function prepareLaunch(input: LaunchInput): Promise<PreparedLaunch> {
  const { set, cwd, env, log } = input;
  const findings = await lintProperties(await readPropertiesFile(input.properties, cwd), {
    propertiesFile: input.properties,
    cwd,
    path: env("PATH") ?? "",
    kcl: set.kcl,
  });
  for (const finding of findings) log(`${formatFinding(input.properties, finding)}\n`);
  const errors = findings.filter((finding) => finding.severity === "error").length;
  if (errors > 0) {
    throw new LauncherError(
      "properties",
      `Cannot start the daemon: ${input.properties} has ${errors} ${errors === 1 ? "error" : "errors"}`,
    );
  }
  if (input.logConfiguration !== undefined) await requireLogConfiguration(input.logConfiguration, cwd);

  const where = { java: input.java, javaHome: env("JAVA_HOME"), path: env("PATH"), windows: delimiter === ";" };
  const javaPath = await locateJava(where);
  const warning = await javaHomeWarning(where, javaPath);
  if (warning !== undefined) log(`warning: ${warning}\n`);
  const java = await checkJava(javaPath, set.javaMin, `KCL ${set.kcl}`);

  const lock = await readLock(input.lockFile, cwd);
  if (lock !== undefined) checkLockMatchesSet(lock, set, input.lockFile);
  return {
    lock,
    expected: expectedDigests(set, lock === undefined ? undefined : { lock, file: input.lockFile }),
    command: (jars) =>
      buildDaemonCommand({
        java: java.path,
        jars,
        propertiesFile: input.properties,
        logConfiguration: input.logConfiguration,
        cwd,
      }),
  };
}
