/**
 * The Java MultiLangDaemon launcher: one command that checks your daemon
 * properties (keys, values, where `executableName` will be found), finds and
 * checks Java, downloads the daemon's jars (the runtime classpath Maven
 * resolves for the KCL release, parallel, verified against the SHA-256 and
 * size pinned for every jar, locked in a lock file beside the properties,
 * cached per user, retried on network errors) and runs it.
 *
 * ```sh
 * deno run --allow-env --allow-read --allow-write --allow-net --allow-run jsr:@kcl/multilang/launcher --properties app.properties
 * bunx --bun kcl-launcher --properties app.properties      # the npm package's bin
 * npx kcl-launcher --properties app.properties              # the npm package's bin
 * ```
 *
 * Options: `--kcl <version>` (3.1.3 default, 2.5.4),
 * `--repository <url>`, `--cache <dir>`, `--lock <file>`, `--java <path>`,
 * `--log-configuration <logback.xml>`, `--check`, `--print`, `--fetch`,
 * `--offline`, `--retry-delay <ms>`; see `--help`.
 *
 * Programs drive it through {@linkcode main} (the command line) or
 * {@linkcode launch} (the same pipeline with options), and can lint a
 * properties file with {@linkcode lintProperties}.
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

import { cliProcess } from "../runtime/cli.ts";
import { main } from "./cli.ts";

export { main } from "./cli.ts";
export { launch, type LaunchMode, type LaunchOptions } from "./launch.ts";
export { LauncherError, type LauncherErrorKind } from "./launcher_error.ts";
// ClasspathSet and MavenArtifact: the types of LaunchOptions.classpathSet.
export { type ClasspathSet, DEFAULT_KCL_VERSION } from "./classpath_sets.ts";
export type { MavenArtifact } from "./maven_artifact.ts";
export { parseProperties, type PropertyEntry } from "./properties_parser.ts";
export {
  type LintFinding,
  type LintOptions,
  lintProperties,
  type LintRule,
  type LintSeverity,
} from "./properties_lint.ts";

if (import.meta.main) {
  const io = cliProcess();
  // Set, not exit: output still queued on a pipe then reaches it.
  io.setExitCode(await main(io.args));
}
