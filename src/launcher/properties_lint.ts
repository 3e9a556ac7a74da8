/**
 * Checks a daemon properties file for the mistakes the daemon itself lets
 * pass or reports late: it drops unknown keys without a word, reads a value
 * it cannot parse as a default, disables graceful shutdown by default, splits
 * `executableName` on spaces, and starts it from its own working folder.
 *
 * @module
 */

import { resolve } from "node:path";
import { closestName } from "../cli/closest_name.ts";
import { checkExecutable } from "./_executable_check.ts";
import { daemonProperties, daemonPropertyType, propertyListRelease } from "./_property_table.ts";
import { checkPropertyValue } from "./_property_values.ts";
import type { PropertyEntry } from "./properties_parser.ts";

/**
 * How bad a finding is: errors stop the launcher (and fail `--check`), warnings do not.
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
 * - `unknown-key`: a key not in the daemon's property list (warning naming
 *   the KCL release of that list, with the closest known key);
 * - `duplicate-key`: a key set twice (the daemon uses the last value);
 * - `invalid-value`: a value the daemon will not read as meant: not a whole
 *   number, number, boolean or ISO-8601 duration where one is expected, or
 *   not one of an enum's values (error, with a did-you-mean);
 * - `shutdown-grace`: `shutdownGraceMillis` unset or 0 (graceful shutdown disabled);
 * - `executable-not-found`: `executableName`'s program will not be found
 *   from the daemon's working folder, which is the launcher's (error);
 * - `script-not-found`: a file `executableName` passes (`consumer.ts`) does
 *   not exist relative to that folder (error);
 * - `executable-quotes`: `executableName` contains quotes, which the daemon
 *   does not interpret.
 *
 * @example Silence one rule
 * ```ts
 * import { lintProperties, type LintRule, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const findings = await lintProperties(
 *   parseProperties("executableName = node app.ts\napplicationName = a\nstreamName = s\nteamName = x\n"),
 * );
 * assert.deepEqual(findings.map((finding) => [finding.rule, finding.key]), [
 *   ["unknown-key", "teamName"],
 *   ["shutdown-grace", "shutdownGraceMillis"],
 * ]);
 * const ignored: readonly LintRule[] = ["unknown-key"];
 * assert.deepEqual(findings.filter((finding) => !ignored.includes(finding.rule)).map((finding) => finding.rule), [
 *   "shutdown-grace",
 * ]);
 * ```
 */
export type LintRule =
  | "missing-required"
  | "unknown-key"
  | "duplicate-key"
  | "invalid-value"
  | "shutdown-grace"
  | "executable-not-found"
  | "script-not-found"
  | "executable-quotes";

/**
 * One problem found in a properties file.
 *
 * @example Spot a misspelt enum value
 * ```ts
 * import { type LintFinding, lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const text = "executableName = node app.ts\napplicationName = a\nstreamName = orders\n" +
 *   "initialPositionInStream = TRIM_HORIZN\nshutdownGraceMillis = 30000\n";
 * const findings: LintFinding[] = await lintProperties(parseProperties(text));
 * assert.deepEqual(findings, [{
 *   severity: "error",
 *   rule: "invalid-value",
 *   key: "initialPositionInStream",
 *   line: 4,
 *   message: "`initialPositionInStream` is `TRIM_HORIZN`, not one of LATEST, TRIM_HORIZON; did you mean `TRIM_HORIZON`?",
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
  /** One sentence, as printed: what is wrong and how to fix it. */
  readonly message: string;
}

/**
 * Context for the checks that look at the file system: where `executableName`
 * will be found. The daemon starts it from its own working folder, which is
 * the launcher's (`cwd`), not the properties file's folder.
 *
 * @example A consumer beside the properties file will not be found from elsewhere
 * ```ts
 * import { lintProperties, type LintOptions, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "lint-"));
 * await mkdir(join(dir, "conf"));
 * await writeFile(join(dir, "conf", "consumer.sh"), "#!/bin/sh\n", { mode: 0o755 });
 * const entries = parseProperties(
 *   "executableName = ./consumer.sh --verbose\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 30000\n",
 * );
 * const fromConf: LintOptions = { propertiesFile: "app.properties", cwd: join(dir, "conf"), path: "" };
 * assert.deepEqual(await lintProperties(entries, fromConf), []);
 * const fromDir = await lintProperties(entries, { propertiesFile: "conf/app.properties", cwd: dir, path: "" });
 * assert.deepEqual(fromDir.map((finding) => finding.rule), ["executable-not-found"]);
 * assert.match(fromDir[0]?.message ?? "", /write `executableName = conf\/consumer\.sh --verbose`/);
 * await rm(dir, { recursive: true });
 * ```
 */
export interface LintOptions {
  /** Path of the properties file, relative to `cwd` (to recognise files placed beside it). */
  readonly propertiesFile?: string;
  /** The launcher's working folder, which the daemon starts the consumer from (default: the process's). */
  readonly cwd?: string;
  /** The `PATH` to search for `executableName`'s program; `undefined` skips the file system checks. */
  readonly path?: string | undefined;
  /**
   * The KCL release being launched, whose property table (read from its jars)
   * the keys and values are checked against (default: the launcher's default
   * release; a release without a table of its own is checked against the default's).
   */
  readonly kcl?: string;
}

/**
 * Lints parsed properties; findings come in order: missing keys, then
 * entries in file order, then an unset `shutdownGraceMillis`.
 *
 * @example Catch a typo in a key
 * ```ts
 * import { lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const findings = await lintProperties(parseProperties(
 *   "executableName = node consumer.ts\napplicationName = orders\nsreamName = orders\nshutdownGraceMillis = 30000\n",
 * ));
 * assert.deepEqual(findings.map((f) => f.message), [
 *   "Missing required property `streamName` or `streamArn`",
 *   "`sreamName` is not a daemon property in KCL 3.1.3's list; did you mean `streamName`?",
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
    void findings.push({ severity: "error", rule: "missing-required", key, line: null, message });

  if (!present("executableName")) missing("executableName", "Missing required property `executableName`");
  if (!present("applicationName")) missing("applicationName", "Missing required property `applicationName`");
  if (!present("streamName") && !present("streamArn")) {
    missing("streamName", "Missing required property `streamName` or `streamArn`");
  }

  const seen = new Map<string, number>();
  for (const entry of entries) {
    const { key, line } = entry;
    const report = (severity: LintSeverity, rule: LintRule, message: string): void =>
      void findings.push({ severity, rule, key, line, message });
    const first = seen.get(key);
    if (first !== undefined) {
      report(
        "warning",
        "duplicate-key",
        `\`${key}\` is set again (first on line ${first}); the daemon uses this last value`,
      );
    } else {
      seen.set(key, line);
    }
    const type = daemonPropertyType(key, options.kcl);
    if (type === undefined) {
      const suggestion = closestName(key, daemonProperties(options.kcl));
      const unknown = `\`${key}\` is not a daemon property in KCL ${propertyListRelease(options.kcl)}'s list`;
      report(
        "warning",
        "unknown-key",
        suggestion === undefined
          ? `${unknown}: the daemon ignores it (unless a newer KCL release added it)`
          : `${unknown}; did you mean \`${suggestion}\`?`,
      );
    }
    // The daemon reads the last value of a key; earlier ones do not matter.
    if (entry !== last.get(key)) continue;
    const invalid = type === undefined ? undefined : checkPropertyValue(key, entry.value, type);
    if (invalid !== undefined) report("error", "invalid-value", invalid);
    if (key === "shutdownGraceMillis" && invalid === undefined && Number(entry.value.trim()) === 0) {
      report(
        "warning",
        "shutdown-grace",
        "`shutdownGraceMillis` is 0: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
      );
    }
    if (key === "executableName") {
      const value = entry.value.trim();
      if (/["']/.test(value)) {
        report(
          "warning",
          "executable-quotes",
          "`executableName` contains quotes, but the daemon splits it on spaces without quoting: the quotes reach the program as part of its arguments",
        );
      }
      if (options.path !== undefined) {
        const problems = await checkExecutable(value, {
          cwd: options.cwd ?? resolve("."),
          propertiesFile: options.propertiesFile,
          path: options.path,
        });
        for (const problem of problems) report("error", problem.rule, problem.message);
      }
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

/**
 * Formats a finding the way compilers do: `file:line: severity: message`
 * (just `file:` for a missing key).
 *
 * @example Print lint findings like the launcher does
 * ```ts
 * import { formatFinding } from "./properties_lint.ts";
 * import { lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const text = "executableName = node app.ts\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 0\n";
 * const findings = await lintProperties(parseProperties(text));
 * assert.deepEqual(findings.map((finding) => formatFinding("app.properties", finding)), [
 *   "app.properties:4: warning: `shutdownGraceMillis` is 0: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
 * ]);
 * ```
 */
export function formatFinding(file: string, finding: LintFinding): string {
  const where = finding.line === null ? file : `${file}:${finding.line}`;
  return `${where}: ${finding.severity}: ${finding.message}`;
}
