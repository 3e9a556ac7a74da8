/**
 * The launcher pipeline: lint the properties, find and check Java, fill the
 * jar cache, then run (or print, or only check) the daemon command.
 *
 * @module
 */

import { readFile, stat } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { CLASSPATH_SETS, type ClasspathSet, DEFAULT_KCL_VERSION, findClasspathSet } from "./classpath_sets.ts";
import { buildDaemonCommand, shellQuote } from "./daemon_command.ts";
import { checkJava, locateJava } from "./java_runtime.ts";
import { LauncherError } from "./launcher_error.ts";
import { ensureJars, findMissingJars, MAVEN_CENTRAL } from "./maven_download.ts";
import { type LintFinding, lintProperties } from "./properties_lint.ts";
import { decodeLatin1, parseProperties } from "./properties_parser.ts";
import type { RetryPolicy } from "./retry.ts";
import { type ForwardedSignal, runDaemon } from "./run_daemon.ts";

/**
 * What {@linkcode launch} does after its checks.
 *
 * @example Map the CLI flags to a mode
 * ```ts
 * import { type LaunchMode, parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const modeOf = (...flags: string[]): LaunchMode => parseCliArgs(["-p", "app.properties", ...flags]).mode;
 * assert.equal(modeOf(), "run");
 * assert.equal(modeOf("--print"), "print");
 * assert.equal(modeOf("--check"), "check");
 * ```
 */
export type LaunchMode = "run" | "print" | "check";

/**
 * Everything {@linkcode launch} needs; only `properties` and `cacheDir` are required.
 *
 * @example Lint errors stop a launch before Java is looked up
 * ```ts
 * import { launch, LauncherError, type LaunchOptions } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "launch-"));
 * await writeFile(join(dir, "app.properties"), "executableName = node consumer.ts\napplicationName = orders\n");
 * const log: string[] = [];
 * const options: LaunchOptions = {
 *   properties: "app.properties",
 *   cwd: dir,
 *   cacheDir: join(dir, "cache"),
 *   mode: "check",
 *   log: (text) => void log.push(text),
 * };
 * await assert.rejects(launch(options), (error) => error instanceof LauncherError && error.kind === "properties");
 * assert.equal(log[0], "app.properties: error: Missing required property `streamName` or `streamArn`\n");
 * await rm(dir, { recursive: true });
 * ```
 */
export interface LaunchOptions {
  /** The daemon `.properties` file. */
  readonly properties: string;
  /** Cache root for jars. */
  readonly cacheDir: string;
  /** KCL release whose classpath set to use (default {@linkcode DEFAULT_KCL_VERSION}). */
  readonly kcl?: string | undefined;
  /** A custom classpath set; overrides `kcl`. */
  readonly classpathSet?: ClasspathSet;
  /** Maven repository or mirror (default Maven Central). */
  readonly repository?: string | undefined;
  /** Explicit `java` path. */
  readonly java?: string | undefined;
  /** Logback configuration passed to the daemon. */
  readonly logConfiguration?: string | undefined;
  /** `run` (default) starts the daemon, `print` prints its command, `check` downloads and runs nothing. */
  readonly mode?: LaunchMode;
  /** Use the cache only. */
  readonly offline?: boolean;
  /** Parallel downloads (default 6). */
  readonly concurrency?: number;
  /** Backoff for transient download failures. */
  readonly retry?: RetryPolicy;
  /** Environment lookup (`JAVA_HOME`, `PATH`, proxies). */
  readonly env?: (name: string) => string | undefined;
  /** Current folder (default: the process's). */
  readonly cwd?: string;
  /** Writes diagnostics (stderr). */
  readonly log?: (text: string) => void;
  /** Writes the `print` output (stdout). */
  readonly print?: (text: string) => void | Promise<void>;
  /** Whether stderr is a terminal (live progress). */
  readonly stderrIsTerminal?: boolean;
  /** Installs signal handlers; used to forward SIGINT/SIGTERM to the daemon. */
  readonly onSignal?: (signal: ForwardedSignal, handler: () => void) => void;
  /** The runtime, for the proxy note (`node`'s fetch ignores proxy variables by default). */
  readonly runtime?: "deno" | "bun" | "node";
  /** The `fetch` to download with. */
  readonly fetch?: typeof fetch;
  /**
   * The daemon's environment (inherited by every consumer child). When given
   * and `NODE_COMPILE_CACHE` is unset, it is set to `<cacheDir>/node-compile-cache`:
   * Node children then start in about half the time (type stripping is cached).
   */
  readonly daemonEnvironment?: Record<string, string> | undefined;
}

/**
 * Runs the launcher pipeline and resolves with the exit code: the daemon's
 * in `run` mode, 0 after a successful `print` or `check`. Lint findings and
 * progress go to `log`. Throws {@linkcode LauncherError} for anything a
 * user must fix.
 *
 * @example Check a setup without downloading anything
 * ```ts ignore
 * import { launch } from "@kcl/multilang/launcher";
 * const code = await launch({
 *   properties: "app.properties",
 *   cacheDir: "/tmp/kcl-cache",
 *   mode: "check",
 *   log: (text) => console.error(text.trimEnd()),
 * });
 * ```
 */
export async function launch(options: LaunchOptions): Promise<number> {
  const env = options.env ?? (() => undefined);
  const log = options.log ?? (() => {});
  const cwd = options.cwd ?? resolve(".");
  const mode = options.mode ?? "run";
  const set = options.classpathSet ??
    selectSet(options.kcl ?? DEFAULT_KCL_VERSION);
  if (set.experimental) {
    log(
      `warning: KCL ${set.kcl} is experimental: its jar list was derived, never run\n`,
    );
  }

  await lintFile(options.properties, cwd, env("PATH"), log);
  if (options.logConfiguration !== undefined) {
    await requireFile(options.logConfiguration, cwd);
  }

  const windows = delimiter === ";";
  const javaPath = await locateJava({
    java: options.java,
    javaHome: env("JAVA_HOME"),
    path: env("PATH"),
    windows,
  });
  const java = await checkJava(javaPath, set.javaMin, `KCL ${set.kcl}`);

  const repository = options.repository ?? MAVEN_CENTRAL;
  if (mode === "check") {
    const missing = await findMissingJars(set.artifacts, options.cacheDir);
    if (missing.length > 0) {
      if (options.offline === true) {
        throw new LauncherError(
          "offline",
          `Cannot run offline: ${missing.length} of ${set.artifacts.length} jars are not in the cache ${
            join(options.cacheDir, "jars")
          }`,
        );
      }
      log(
        `${missing.length} of ${set.artifacts.length} jars are not cached yet; a run downloads them from ${repository}\n`,
      );
    }
    log(
      `Check passed: KCL ${set.kcl}, Java ${java.major} at ${java.path}, ${options.properties}\n`,
    );
    return 0;
  }

  if (options.offline !== true) noteProxy(options.runtime, env, log);
  const { jars } = await ensureJars(set.artifacts, {
    repository,
    cacheDir: options.cacheDir,
    offline: options.offline === true,
    log,
    liveProgress: options.stderrIsTerminal === true,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const command = buildDaemonCommand({
    java: java.path,
    jars,
    propertiesFile: options.properties,
    logConfiguration: options.logConfiguration,
    cwd,
  });
  if (mode === "print") {
    await options.print?.(`${shellQuote(command)}\n`);
    return 0;
  }
  return await runDaemon(command, options.onSignal, withNodeCompileCache(options.daemonEnvironment, options.cacheDir));
}

function selectSet(kcl: string): ClasspathSet {
  const set = findClasspathSet(kcl);
  if (set === undefined) {
    const known = CLASSPATH_SETS.map((s) => s.experimental ? `${s.kcl} (experimental)` : s.kcl).join(", ");
    throw new LauncherError(
      "config",
      `Cannot find a classpath set for KCL ${kcl}: known releases are ${known}`,
    );
  }
  return set;
}

/**
 * Formats a finding the way compilers do: `file:line: severity: message`
 * (just `file:` for a missing key).
 *
 * @example Print lint findings like the launcher does
 * ```ts
 * import { formatFinding, lintProperties, parseProperties } from "@kcl/multilang/launcher";
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

async function lintFile(
  file: string,
  cwd: string,
  path: string | undefined,
  log: (text: string) => void,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (error) {
    throw new LauncherError(
      "properties",
      `Cannot read the properties file ${file}: ${reason(error)}`,
    );
  }
  const findings = await lintProperties(parseProperties(decodeLatin1(bytes)), {
    propertiesFile: file,
    cwd,
    path: path ?? "",
  });
  for (const finding of findings) log(`${formatFinding(file, finding)}\n`);
  const errors = findings.filter((f) => f.severity === "error").length;
  if (errors > 0) {
    throw new LauncherError(
      "properties",
      `Cannot start the daemon: ${file} has ${errors} ${errors === 1 ? "error" : "errors"}`,
    );
  }
}

async function requireFile(file: string, cwd: string): Promise<void> {
  try {
    if ((await stat(resolve(cwd, file))).isFile()) return;
  } catch {
    // reported below
  }
  throw new LauncherError(
    "config",
    `Cannot find the log configuration ${file}`,
  );
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Deno's and Bun's `fetch` honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY; Node's
 * only with NODE_USE_ENV_PROXY=1 (Node 24.5+), read at start-up.
 */
function noteProxy(
  runtime: LaunchOptions["runtime"],
  env: (name: string) => string | undefined,
  log: (text: string) => void,
): void {
  if (runtime !== "node" || env("NODE_USE_ENV_PROXY") === "1") return;
  const variable = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
    .find((name) => (env(name) ?? "") !== "");
  if (variable === undefined) return;
  log(
    `warning: ${variable} is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1 is set; downloads go direct\n`,
  );
}

/** Adds `NODE_COMPILE_CACHE` to the daemon's environment unless the user set it. */
function withNodeCompileCache(
  environment: Record<string, string> | undefined,
  cacheDir: string,
): Record<string, string> | undefined {
  if (environment === undefined || environment.NODE_COMPILE_CACHE !== undefined) return environment;
  return { ...environment, NODE_COMPILE_CACHE: join(cacheDir, "node-compile-cache") };
}
