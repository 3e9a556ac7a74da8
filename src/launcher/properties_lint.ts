/**
 * Checks a daemon properties file for the mistakes the daemon itself lets
 * pass silently: it drops unknown keys without a word, disables graceful
 * shutdown by default, and splits `executableName` on spaces.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { closestName } from "../cli/closest_name.ts";
import { DAEMON_PROPERTIES, isDaemonProperty } from "./daemon_properties.ts";
import { findProgram } from "../cli/find_program.ts";
import type { PropertyEntry } from "./properties_parser.ts";

/**
 * How bad a finding is: errors stop the launcher, warnings do not.
 *
 * @example Count findings by severity
 * ```ts
 * import { lintProperties, type LintSeverity, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const counts: Record<LintSeverity, number> = { error: 0, warning: 0 };
 * for (const finding of await lintProperties(parseProperties("applicationName = orders\nsreamName = orders\n"))) {
 *   counts[finding.severity]++;
 * }
 * assert.deepEqual(counts, { error: 2, warning: 2 });
 * ```
 */
export type LintSeverity = "error" | "warning";

/**
 * Which rule produced a finding:
 * - `missing-required`: `executableName`, `applicationName`, or both of
 *   `streamName` and `streamArn` absent or empty (error);
 * - `unknown-key`: a key the daemon ignores, with the closest known key;
 * - `duplicate-key`: a key set twice (the daemon uses the last value);
 * - `shutdown-grace`: `shutdownGraceMillis` unset or 0 (graceful shutdown disabled);
 * - `executable-not-found`: `executableName`'s program is not on `PATH`,
 *   nor relative to the current folder or the properties file's folder;
 * - `executable-quotes`: `executableName` contains quotes, which the daemon
 *   does not interpret.
 *
 * @example Silence one rule
 * ```ts
 * import { lintProperties, type LintRule, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const ignored: readonly LintRule[] = ["shutdown-grace"];
 * const findings = await lintProperties(parseProperties("executableName = node app.ts\napplicationName = a\nstreamName = s\n"));
 * assert.deepEqual(findings.map((finding) => finding.rule), ["shutdown-grace"]);
 * assert.deepEqual(findings.filter((finding) => !ignored.includes(finding.rule)), []);
 * ```
 */
export type LintRule =
  | "missing-required"
  | "unknown-key"
  | "duplicate-key"
  | "shutdown-grace"
  | "executable-not-found"
  | "executable-quotes";

/**
 * One problem found in a properties file.
 *
 * @example Spot a key set twice
 * ```ts
 * import { type LintFinding, lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const text = "executableName = node app.ts\napplicationName = a\nstreamName = orders\nstreamName = orders-v2\nshutdownGraceMillis = 30000\n";
 * const findings: LintFinding[] = await lintProperties(parseProperties(text));
 * assert.deepEqual(findings, [{
 *   severity: "warning",
 *   rule: "duplicate-key",
 *   key: "streamName",
 *   line: 4,
 *   message: "`streamName` is set again (first on line 3); the daemon uses this last value",
 * }]);
 * ```
 */
export interface LintFinding {
  /** `error` stops the launcher. */
  readonly severity: LintSeverity;
  /** The rule that fired. */
  readonly rule: LintRule;
  /** The property concerned. */
  readonly key: string;
  /** 1-based line of the entry, or `null` for a missing key. */
  readonly line: number | null;
  /** One sentence, as printed. */
  readonly message: string;
}

/**
 * Context for the checks that look at the file system.
 *
 * @example Find the executable next to the properties file
 * ```ts
 * import { lintProperties, type LintOptions, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "lint-"));
 * await writeFile(join(dir, "consumer.sh"), "#!/bin/sh\n", { mode: 0o755 });
 * const entries = parseProperties(
 *   "executableName = consumer.sh --verbose\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 30000\n",
 * );
 * const options: LintOptions = { propertiesFile: join(dir, "app.properties"), path: "" };
 * assert.deepEqual(await lintProperties(entries, options), []);
 * const elsewhere = await lintProperties(entries, { path: "", cwd: join(dir, "elsewhere") });
 * assert.deepEqual(elsewhere.map((finding) => finding.rule), ["executable-not-found"]);
 * await rm(dir, { recursive: true });
 * ```
 */
export interface LintOptions {
  /** Path of the properties file (its folder is searched for the executable). */
  readonly propertiesFile?: string;
  /** The current folder (default: the process's). */
  readonly cwd?: string;
  /** The `PATH` to search for `executableName`'s program; `undefined` skips that check. */
  readonly path?: string | undefined;
}

/**
 * Lints parsed properties; findings come in order: missing keys, then
 * entries in file order, then an unset `shutdownGraceMillis`.
 *
 * @example Catch a typo
 * ```ts
 * import { lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const findings = await lintProperties(parseProperties(
 *   "executableName = node consumer.ts\napplicationName = orders\nsreamName = orders\nshutdownGraceMillis = 30000\n",
 * ));
 * assert.deepEqual(findings.map((f) => f.message), [
 *   "Missing required property `streamName` or `streamArn`",
 *   "`sreamName` is not a daemon property; did you mean `streamName`?",
 * ]);
 * ```
 */
export async function lintProperties(
  entries: readonly PropertyEntry[],
  options: LintOptions = {},
): Promise<LintFinding[]> {
  const last = new Map<string, PropertyEntry>();
  for (const entry of entries) last.set(entry.key, entry);
  const present = (key: string): boolean => (last.get(key)?.value.trim() ?? "") !== "";
  const findings: LintFinding[] = [];
  const missing = (key: string, message: string): void =>
    void findings.push({
      severity: "error",
      rule: "missing-required",
      key,
      line: null,
      message,
    });

  if (!present("executableName")) {
    missing("executableName", "Missing required property `executableName`");
  }
  if (!present("applicationName")) {
    missing("applicationName", "Missing required property `applicationName`");
  }
  if (!present("streamName") && !present("streamArn")) {
    missing(
      "streamName",
      "Missing required property `streamName` or `streamArn`",
    );
  }

  const seen = new Map<string, number>();
  for (const entry of entries) {
    const { key, line } = entry;
    const warn = (rule: LintRule, message: string): void =>
      void findings.push({ severity: "warning", rule, key, line, message });
    const first = seen.get(key);
    if (first !== undefined) {
      warn(
        "duplicate-key",
        `\`${key}\` is set again (first on line ${first}); the daemon uses this last value`,
      );
    } else {
      seen.set(key, line);
    }
    if (!isDaemonProperty(key)) {
      const suggestion = closestName(key, DAEMON_PROPERTIES);
      warn(
        "unknown-key",
        suggestion === undefined
          ? `\`${key}\` is not a daemon property; the daemon ignores it`
          : `\`${key}\` is not a daemon property; did you mean \`${suggestion}\`?`,
      );
    }
    if (key === "shutdownGraceMillis" && Number(entry.value.trim()) === 0) {
      warn(
        "shutdown-grace",
        "`shutdownGraceMillis` is 0: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
      );
    }
    if (key === "executableName" && entry === last.get(key)) {
      findings.push(...await lintExecutable(entry, options));
    }
  }

  if (!last.has("shutdownGraceMillis")) {
    findings.push({
      severity: "warning",
      rule: "shutdown-grace",
      key: "shutdownGraceMillis",
      line: null,
      message:
        "`shutdownGraceMillis` is not set: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
    });
  }
  return findings;
}

async function lintExecutable(
  entry: PropertyEntry,
  options: LintOptions,
): Promise<LintFinding[]> {
  const findings: LintFinding[] = [];
  const warn = (rule: LintRule, message: string): void =>
    void findings.push({
      severity: "warning",
      rule,
      key: entry.key,
      line: entry.line,
      message,
    });
  const value = entry.value.trim();
  if (value === "") return findings;
  if (/["']/.test(value)) {
    warn(
      "executable-quotes",
      "`executableName` contains quotes, but the daemon splits it on spaces without quoting: the quotes reach the program as part of its arguments",
    );
  }
  // The daemon splits on runs of spaces (no quoting, no tabs); the first word runs.
  const program = value.split(/ +/)[0] ?? "";
  if (options.path === undefined) return findings;
  const cwd = options.cwd ?? resolve(".");
  const folder = options.propertiesFile === undefined ? cwd : dirname(resolve(cwd, options.propertiesFile));
  const found = (await findProgram(program, { path: options.path, cwd })) ??
    (await findProgram(program, { path: options.path, cwd: folder })) ??
    (program.includes("/") ? undefined : await findProgram(`./${program}`, { path: undefined, cwd: folder }));
  if (found === undefined) {
    warn(
      "executable-not-found",
      `\`executableName\` runs \`${program}\`, which is not on PATH nor in ${folder}`,
    );
  }
  return findings;
}
