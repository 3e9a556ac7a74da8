/**
 * The Java MultiLangDaemon launcher: one command that lints your daemon
 * properties, finds and checks Java, downloads the daemon's jars (parallel,
 * SHA-1 verified, cached per user, retried on network errors) and runs it.
 *
 * ```sh
 * deno run -A jsr:@kcl/multilang/launcher --properties app.properties
 * bunx --bun kcl-launcher --properties app.properties      # the npm package's bin
 * npx kcl-launcher --properties app.properties              # the npm package's bin
 * ```
 *
 * Options: `--kcl <version>` (3.1.3 default, 2.7.2, 3.5.1 experimental),
 * `--repository <url>`, `--cache <dir>`, `--java <path>`,
 * `--log-configuration <logback.xml>`, `--print`, `--check`, `--offline`.
 *
 * @example Lint a properties file programmatically
 * ```ts
 * import { lintProperties, parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const findings = await lintProperties(parseProperties("executableName = node app.ts\napplicationName = a\nstreamName = s\n"));
 * assert.deepEqual(findings.map((f) => f.rule), ["shutdown-grace"]);
 * ```
 *
 * @module
 */

import { getHost } from "../runtime/host.ts";
import { main } from "./cli.ts";

export { type CliOptions, helpText, type LauncherHost, main, parseCliArgs } from "./cli.ts";
export { CLASSPATH_SETS, type ClasspathSet, DEFAULT_KCL_VERSION, findClasspathSet } from "./classpath_sets.ts";
export { defaultCacheDir } from "./cache_dir.ts";
export { closestName } from "../cli/closest_name.ts";
export { DAEMON_PROPERTIES, isDaemonProperty } from "./daemon_properties.ts";
export { buildDaemonCommand, DAEMON_MAIN_CLASS, type DaemonCommandOptions, shellQuote } from "./daemon_command.ts";
export { findProgram, type FindProgramOptions } from "../cli/find_program.ts";
export { checkJava, type JavaRuntime, locateJava, type LocateJavaOptions } from "./java_runtime.ts";
export { parseJavaMajorVersion } from "./java_version.ts";
export { formatFinding, launch, type LaunchMode, type LaunchOptions } from "./launch.ts";
export { LauncherError, type LauncherErrorKind } from "./launcher_error.ts";
export { artifactName, artifactPath, type MavenArtifact } from "./maven_artifact.ts";
export {
  type EnsuredJars,
  ensureJars,
  type EnsureJarsOptions,
  findMissingJars,
  MAVEN_CENTRAL,
} from "./maven_download.ts";
export {
  type LintFinding,
  type LintOptions,
  lintProperties,
  type LintRule,
  type LintSeverity,
} from "./properties_lint.ts";
export { parseProperties, type PropertyEntry } from "./properties_parser.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
export { type ForwardedSignal, runDaemon } from "./run_daemon.ts";
export { parseSha1File, sha1Hex } from "./sha1.ts";

if (import.meta.main) {
  const host = await getHost();
  host.exit(await main(host.args, host));
}
