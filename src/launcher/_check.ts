/**
 * `--check`: every check the launcher can make without downloading or
 * running anything, printed as a checklist (each check passed, or what is
 * wrong and how to fix it); the exit code is 1 when any check failed.
 *
 * @module
 */

import { delimiter, join } from "node:path";
import { permissionRefusal } from "../runtime/cli.ts";
import { checkRelay } from "./_host_mode.ts";
import { checkJava, javaHomeWarning, locateJava } from "./_java_runtime.ts";
import { proxyWarning, readPropertiesFile, requireLogConfiguration } from "./_launch_steps.ts";
import { compareCache, findMissingJars } from "./_cache_check.ts";
import { digestMismatchError, expectedDigests } from "./_jar_digests.ts";
import { checkLockMatchesSet, type JarLock, readLock } from "./_lock_file.ts";
import { propertyListRelease } from "./_property_table.ts";
import type { ClasspathSet } from "./classpath_sets.ts";
import { LauncherError } from "./launcher_error.ts";
import { type LintFinding, lintProperties, type LintRule } from "./properties_lint.ts";
import type { PropertyEntry } from "./properties_parser.ts";

/** What `--check` looks at. */
export interface CheckInput {
  readonly properties: string;
  readonly cwd: string;
  readonly set: ClasspathSet;
  readonly cacheDir: string;
  readonly repository: string;
  readonly java: string | undefined;
  readonly logConfiguration: string | undefined;
  readonly offline: boolean;
  readonly lockFile: string;
  readonly env: (name: string) => string | undefined;
  readonly runtime: "deno" | "bun" | "node" | undefined;
  readonly print: (text: string) => void | Promise<void>;
  /** `--host`: the launcher starts the shard host (so none may serve yet). */
  readonly host?: string | undefined;
}

type Status = "ok" | "warning" | "error";

const CATEGORIES: readonly { readonly label: string; readonly rules: readonly LintRule[] }[] = [
  { label: "required keys", rules: ["missing-required"] },
  { label: "keys", rules: ["unknown-key", "duplicate-key"] },
  { label: "values", rules: ["invalid-value", "shutdown-grace"] },
  { label: "executableName", rules: ["executable-not-found", "script-not-found", "executable-quotes"] },
];

/** Runs every check, prints the checklist and resolves with the exit code (1 on any error). */
export async function checkSetup(input: CheckInput): Promise<number> {
  const { set, cwd } = input;
  const lines: string[] = [];
  const counts: Record<Status, number> = { ok: 0, warning: 0, error: 0 };
  const add = (status: Status, label: string, detail: string): void => {
    counts[status]++;
    lines.push(`${status.padEnd(7)} ${label}: ${detail}`);
  };

  // Usage errors (no such properties or log file) end the check at once: exit 2.
  const entries = await readPropertiesFile(input.properties, cwd).catch((error: unknown) => {
    if (error instanceof LauncherError && error.kind === "properties") {
      add("error", input.properties, error.message);
      return undefined;
    }
    throw error;
  });
  if (input.logConfiguration !== undefined) await requireLogConfiguration(input.logConfiguration, cwd);

  add("ok", `KCL ${set.kcl}`, `${set.artifacts.length} jars, Java ${set.javaMin} or newer`);

  if (entries !== undefined) await checkProperties(input, entries, add);
  const relay = entries === undefined
    ? []
    : await checkRelay(entries, cwd, input.env("PATH") ?? "", input.host !== undefined);
  for (const finding of relay) add(finding.status, finding.label, finding.detail);
  await checkJavaRuntime(input, add);
  await checkJars(input, add);
  await checkLock(input, add);
  const proxy = input.offline ? undefined : proxyWarning(input.runtime, input.env);
  if (proxy !== undefined) add("warning", "proxy", proxy);

  const summary = `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}`;
  lines.push(
    counts.error === 0
      ? `Check passed: ${summary}`
      : `Check failed: ${summary}; the daemon would not start or would not run as configured`,
  );
  await input.print(`Checking ${input.properties} for KCL ${set.kcl} from ${cwd}\n${lines.join("\n")}\n`);
  return counts.error === 0 ? 0 : 1;
}

type Add = (status: Status, label: string, detail: string) => void;

async function checkProperties(input: CheckInput, entries: readonly PropertyEntry[], add: Add): Promise<void> {
  const findings = await lintProperties(entries, {
    propertiesFile: input.properties,
    cwd: input.cwd,
    path: input.env("PATH") ?? "",
    kcl: input.set.kcl,
  });
  const value = (key: string): string => entries.findLast((entry) => entry.key === key)?.value.trim() ?? "";
  const passed: Record<string, string> = {
    "required keys": `executableName, applicationName and ${
      value("streamArn") !== "" ? "streamArn" : "streamName"
    } are set`,
    keys: `all ${new Set(entries.map((entry) => entry.key)).size} are in KCL ${
      propertyListRelease(input.set.kcl)
    }'s property list, none set twice`,
    values: "numbers, booleans, durations and enum values read as meant; shutdownGraceMillis is set",
    executableName: `\`${value("executableName")}\` will be found from ${input.cwd}, where the daemon starts it`,
  };
  for (const { label, rules } of CATEGORIES) {
    const own = findings.filter((finding) => rules.includes(finding.rule));
    if (own.length === 0) {
      // Without executableName there is nothing to find; the required-keys line says so.
      if (label !== "executableName" || value("executableName") !== "") add("ok", label, passed[label] ?? "");
    }
    for (const finding of own) add(finding.severity, where(input.properties, finding), finding.message);
  }
}

function where(file: string, finding: LintFinding): string {
  return finding.line === null ? file : `${file}:${finding.line}`;
}

async function checkJavaRuntime(input: CheckInput, add: Add): Promise<void> {
  try {
    const where = {
      java: input.java,
      javaHome: input.env("JAVA_HOME"),
      path: input.env("PATH"),
      windows: delimiter === ";",
    };
    const path = await locateJava(where);
    const warning = await javaHomeWarning(where, path);
    if (warning !== undefined) add("warning", "JAVA_HOME", warning);
    const java = await checkJava(path, input.set.javaMin, `KCL ${input.set.kcl}`);
    add("ok", "Java", `${java.major} at ${java.path} (KCL ${input.set.kcl} needs ${input.set.javaMin} or newer)`);
  } catch (error) {
    // A permission refusal is no finding about Java: the launcher names it, with its flag, and exits 2.
    if (!(error instanceof LauncherError) || permissionRefusal(error) !== undefined) throw error;
    add("error", "Java", error.message);
  }
}

async function checkJars(input: CheckInput, add: Add): Promise<void> {
  const { set } = input;
  const folder = join(input.cacheDir, "jars");
  const missing = await findMissingJars(set.artifacts, input.cacheDir);
  if (missing.length === 0) {
    add("ok", "jars", `all ${set.artifacts.length} are in the cache ${folder}`);
  } else if (input.offline) {
    add(
      "error",
      "jars",
      `${missing.length} of ${set.artifacts.length} are not in the cache ${folder}, and --offline downloads nothing: run with --fetch first`,
    );
  } else {
    add(
      "warning",
      "jars",
      `${missing.length} of ${set.artifacts.length} are not in the cache ${folder} yet: a run or --fetch downloads them from ${input.repository}`,
    );
  }
}

async function checkLock(input: CheckInput, add: Add): Promise<void> {
  const file = input.lockFile;
  let lock: JarLock | undefined;
  try {
    lock = await readLock(file, input.cwd);
    if (lock !== undefined) checkLockMatchesSet(lock, input.set, file);
  } catch (error) {
    if (!(error instanceof LauncherError)) throw error;
    add("error", "lock", error.message);
    return;
  }
  if (lock === undefined) {
    add(
      "warning",
      "lock",
      `no lock file ${file} yet: a run or --fetch writes it; commit it beside the properties file`,
    );
    const pinned = expectedDigests(input.set, undefined);
    if (pinned === undefined) return;
    const { mismatches } = await compareCache(input.set.artifacts, input.cacheDir, pinned, { rehash: true });
    for (const mismatch of mismatches) {
      add(
        "error",
        "jars",
        digestMismatchError(mismatch, pinned, `the cached ${mismatch.jar}`, "delete it to download it again").message,
      );
    }
    return;
  }
  // Re-hash the bytes: the check must not trust the cache's own notes.
  const expected = expectedDigests(input.set, { lock, file })!;
  const { cached, mismatches } = await compareCache(input.set.artifacts, input.cacheDir, expected, { rehash: true });
  for (const mismatch of mismatches) {
    add(
      "error",
      "lock",
      digestMismatchError(mismatch, expected, `the cached ${mismatch.jar}`, "delete it to download it again").message,
    );
  }
  if (mismatches.length === 0) {
    add(
      "ok",
      "lock",
      cached === 0
        ? `${file} locks the ${lock.jars.size} jars of KCL ${lock.kcl}; none is cached yet`
        : `the ${cached} cached jars match ${file} (SHA-256 and size)`,
    );
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
