/**
 * The launcher pipeline: lint the properties, find and check Java, fill the
 * jar cache (verified against the lock file), then run, print or only fetch
 * the daemon; or check everything without downloading or running anything.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { checkSetup } from "./_check.ts";
import { fetchJars } from "./_launch_fetch.ts";
import { prepareLaunch } from "./_launch_prepare.ts";
import { printCommand } from "./_launch_print.ts";
import { requireRepositoryUrl, selectSet } from "./_launch_steps.ts";
import { runWithHost } from "./_host_mode.ts";
import { defaultLockPath } from "./_lock_file.ts";
import { MAVEN_CENTRAL } from "./_maven_download.ts";
import { runDaemon } from "./_run_daemon.ts";
import { type ClasspathSet, DEFAULT_KCL_VERSION } from "./classpath_sets.ts";

/**
 * What {@linkcode launch} does after its checks: `run` the daemon, `print`
 * its command line (downloading nothing), `fetch` its jars (running
 * nothing), or `check` everything (downloading and running nothing).
 *
 * @example Print the command line: nothing is downloaded nor run
 * ```ts
 * import { launch, type LaunchMode } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "mode-"));
 * await writeFile(
 *   join(dir, "app.properties"),
 *   "executableName = sh consumer.sh\napplicationName = orders\nstreamName = orders\nshutdownGraceMillis = 30000\n",
 * );
 * await writeFile(join(dir, "consumer.sh"), "");
 * // A stand-in for `java` that answers `java -version` as a JDK 17 does.
 * await writeFile(join(dir, "java"), "#!/bin/sh\necho 'openjdk version \"17.0.9\"' >&2\n", { mode: 0o755 });
 * const mode: LaunchMode = "print";
 * let printed = "";
 * const code = await launch({
 *   properties: "app.properties",
 *   cwd: dir,
 *   cacheDir: join(dir, "cache"),
 *   java: join(dir, "java"),
 *   mode,
 *   env: (name) => name === "PATH" ? "/usr/bin:/bin" : undefined,
 *   print: (text) => void (printed += text),
 * });
 * assert.equal(code, 0);
 * assert.match(printed, /^\S+\/java -cp \S+ software\.amazon\.kinesis\.multilang\.MultiLangDaemon --properties-file app\.properties\n$/);
 * assert.deepEqual((await readdir(dir)).sort(), ["app.properties", "consumer.sh", "java"]);
 * await rm(dir, { recursive: true });
 * ```
 */
export type LaunchMode = "run" | "print" | "fetch" | "check";

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
 *   mode: "print",
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
  /**
   * Maven repository or mirror, an http(s) URL (default Maven Central as
   * Maven reaches it, `https://repo.maven.apache.org/maven2`). A mirror must
   * serve the bytes the set pins (or the lock holds).
   */
  readonly repository?: string | undefined;
  /**
   * The lock file (default: beside the properties file, `app.properties` →
   * `app.kcl.lock`). Written after the first verified download (verified
   * against the set's pinned SHA-256 and size, or the repository's `.sha1`
   * for jars without them); from then on every jar must match it.
   */
  readonly lock?: string | undefined;
  /** Explicit `java` path. */
  readonly java?: string | undefined;
  /** Logback configuration passed to the daemon. */
  readonly logConfiguration?: string | undefined;
  /** What to do; see {@linkcode LaunchMode} (default `run`). */
  readonly mode?: LaunchMode;
  /** Use the cache only. */
  readonly offline?: boolean;
  /** Parallel downloads (default 6). */
  readonly concurrency?: number;
  /**
   * Retries of transient download failures (network errors, 429, 5xx), with
   * exponential backoff and full jitter: `attempts` counts the first try
   * (default 5), `baseDelayMs` bounds the first delay (default 500),
   * `maxDelayMs` any delay (default 8000). A `Retry-After` is honoured.
   */
  readonly retry?: {
    readonly attempts?: number;
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
  };
  /** Environment lookup (`JAVA_HOME`, `PATH`, proxies). */
  readonly env?: (name: string) => string | undefined;
  /** Current folder (default: the process's); the daemon starts the consumer from it. */
  readonly cwd?: string;
  /** Writes diagnostics (stderr). */
  readonly log?: (text: string) => void;
  /** Writes the `print` command and the `check` report (stdout). */
  readonly print?: (text: string) => void | Promise<void>;
  /** Whether stderr is a terminal (live progress). */
  readonly stderrIsTerminal?: boolean;
  // The signals spelled out, not the runtime's private HostSignal: a public option may name only public types.
  /** Installs signal handlers; used to forward SIGINT/SIGTERM to the daemon. */
  readonly onSignal?: (signal: "SIGINT" | "SIGTERM", handler: () => void) => void;
  /** The runtime, for the proxy warning (`node`'s fetch ignores proxy variables by default). */
  readonly runtime?: "deno" | "bun" | "node";
  /** The `fetch` to download with. */
  readonly fetch?: typeof fetch;
  /**
   * The daemon's environment (inherited by every consumer child). When given
   * and `NODE_COMPILE_CACHE` is unset, it is set to `<cacheDir>/node-compile-cache`,
   * so Node consumers keep their compiled (type-stripped) code between starts.
   */
  readonly daemonEnvironment?: Record<string, string> | undefined;
  /**
   * A shard host's command line (split on spaces): in `run` mode it is
   * started first, the daemon once its socket (from `executableName`'s relay)
   * accepts, and it is stopped after the daemon; `check` then expects no
   * host serving yet.
   */
  readonly host?: string | undefined;
  /** How many host processes `host` runs, all accepting on the one socket. @default {the number of cores} */
  readonly hostProcesses?: number | undefined;
}

/**
 * Runs the launcher pipeline and resolves with the exit code: the daemon's
 * in `run` mode, 0 after a successful `print` or `fetch`, 0 or 1 after
 * `check` (its report goes to `print`). Lint findings and progress go to
 * `log`. Throws {@linkcode LauncherError} for anything a user must fix.
 *
 * @example Check a setup and read the report
 * ```ts
 * import { launch } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "launch-"));
 * await writeFile(
 *   join(dir, "app.properties"),
 *   "executableName = sh consumer.sh\napplicationName = orders\nstreamName = orders\nmetricsLevel = SUMARY\n",
 * );
 * let report = "";
 * const code = await launch({
 *   properties: "app.properties",
 *   cwd: dir,
 *   cacheDir: join(dir, "cache"),
 *   java: join(dir, "no-java"),
 *   mode: "check",
 *   env: (name) => name === "PATH" ? "/usr/bin:/bin" : undefined,
 *   print: (text) => void (report += text),
 * });
 * assert.equal(code, 1);
 * assert.match(report, /^error +app\.properties:4: `metricsLevel` is `SUMARY`, not one of NONE, SUMMARY, DETAILED; did you mean `SUMMARY`\?$/m);
 * assert.match(report, /^error +app\.properties:1: `executableName` passes `consumer\.sh`, which does not exist/m);
 * assert.match(report, /^error +Java: Cannot run Java at /m);
 * assert.match(report, /^Check failed: /m);
 * await rm(dir, { recursive: true });
 * ```
 */
export async function launch(options: LaunchOptions): Promise<number> {
  const env = options.env ?? (() => undefined);
  const log = options.log ?? (() => {});
  const cwd = options.cwd ?? resolve(".");
  const mode = options.mode ?? "run";
  const set = options.classpathSet ?? selectSet(options.kcl ?? DEFAULT_KCL_VERSION);
  const repository = requireRepositoryUrl(options.repository ?? MAVEN_CENTRAL);
  const lockFile = options.lock ?? defaultLockPath(options.properties);
  const offline = options.offline === true;
  const common = { properties: options.properties, cwd, set, lockFile, java: options.java, env };

  if (mode === "check") {
    return await checkSetup({
      ...common,
      cacheDir: options.cacheDir,
      repository,
      logConfiguration: options.logConfiguration,
      offline,
      runtime: options.runtime,
      print: options.print ?? (() => {}),
      host: options.host,
    });
  }
  const prepared = await prepareLaunch({ ...common, logConfiguration: options.logConfiguration, log });
  if (mode === "print") return await printCommand(prepared, set, options.cacheDir, options.print ?? (() => {}), log);
  const jars = await fetchJars(prepared, {
    set,
    cacheDir: options.cacheDir,
    cwd,
    lockFile,
    offline,
    runtime: options.runtime,
    env,
    log,
    download: {
      repository,
      liveProgress: options.stderrIsTerminal === true,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    },
  });
  if (mode === "fetch") {
    log(`All ${jars.length} jars of KCL ${set.kcl} are in the cache ${join(options.cacheDir, "jars")}\n`);
    return 0;
  }
  const environment = withNodeCompileCache(options.daemonEnvironment, options.cacheDir);
  if (options.host !== undefined) {
    const { host, properties, onSignal } = options;
    const processes = options.hostProcesses;
    return await runWithHost({
      host,
      properties,
      cwd,
      daemon: prepared.command(jars),
      onSignal,
      environment,
      log,
      processes,
    });
  }
  return await runDaemon(prepared.command(jars), options.onSignal, environment);
}

/** Adds `NODE_COMPILE_CACHE` to the daemon's environment unless the user set it. */
function withNodeCompileCache(
  environment: Record<string, string> | undefined,
  cacheDir: string,
): Record<string, string> | undefined {
  if (environment === undefined || environment.NODE_COMPILE_CACHE !== undefined) return environment;
  return { ...environment, NODE_COMPILE_CACHE: join(cacheDir, "node-compile-cache") };
}
