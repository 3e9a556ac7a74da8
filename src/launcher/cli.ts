/**
 * The launcher's command line: option parsing, help, and `main`.
 *
 * @module
 */

import { delimiter } from "node:path";
import { getHost } from "../runtime/host.ts";
import { CLASSPATH_SETS, DEFAULT_KCL_VERSION } from "./classpath_sets.ts";
import { defaultCacheDir } from "./cache_dir.ts";
import { launch, type LaunchMode } from "./launch.ts";
import { LauncherError } from "./launcher_error.ts";
import { MAVEN_CENTRAL } from "./maven_download.ts";
import { DEFAULT_RETRY_POLICY } from "./retry.ts";
import type { ForwardedSignal } from "./run_daemon.ts";

/**
 * The parsed command line.
 *
 * @example See the defaults the parser fills in
 * ```ts
 * import { type CliOptions, DEFAULT_KCL_VERSION, MAVEN_CENTRAL, parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const options: CliOptions = parseCliArgs(["-p", "app.properties", "--offline"]);
 * assert.equal(options.kcl, DEFAULT_KCL_VERSION);
 * assert.equal(options.repository, MAVEN_CENTRAL);
 * assert.equal(options.mode, "run");
 * assert.equal(options.offline, true);
 * assert.equal(options.cache, undefined);
 * ```
 */
export interface CliOptions {
  /** `--properties`: the daemon properties file. */
  readonly properties: string;
  /** `--kcl`: which classpath set. */
  readonly kcl: string;
  /** `--repository`: Maven repository or mirror. */
  readonly repository: string;
  /** `--cache`: cache folder, if given. */
  readonly cache: string | undefined;
  /** `--java`: path of `java`, if given. */
  readonly java: string | undefined;
  /** `--log-configuration`: logback file, if given. */
  readonly logConfiguration: string | undefined;
  /** `--print` / `--check` / neither. */
  readonly mode: LaunchMode;
  /** `--offline`. */
  readonly offline: boolean;
  /** `--retry-delay`: first backoff delay in milliseconds. */
  readonly retryDelayMs: number;
  /** `--help`. */
  readonly help: boolean;
}

const VALUE_OPTIONS = [
  "properties",
  "kcl",
  "repository",
  "cache",
  "java",
  "log-configuration",
  "retry-delay",
];
const FLAG_OPTIONS = ["print", "check", "offline", "help"];

/**
 * Parses launcher arguments (`--name value` or `--name=value`; `-p` and `-h`
 * are short for `--properties` and `--help`). Throws a `usage`
 * {@linkcode LauncherError} for unknown options or missing values.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const options = parseCliArgs(["--properties", "app.properties", "--kcl=2.7.2", "--print"]);
 * assert.equal(options.kcl, "2.7.2");
 * assert.equal(options.mode, "print");
 * ```
 */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const expanded = arg === "-p" ? "--properties" : arg === "-h" ? "--help" : arg;
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(expanded);
    const name = match?.[1];
    if (match === null || name === undefined) {
      throw new LauncherError(
        "usage",
        `Unknown argument \`${arg}\`; see --help`,
      );
    }
    if (FLAG_OPTIONS.includes(name)) {
      if (match[2] !== undefined) {
        throw new LauncherError("usage", `Option --${name} takes no value`);
      }
      flags.add(name);
    } else if (VALUE_OPTIONS.includes(name)) {
      const value = match[2] ?? args[++i];
      if (value === undefined || value === "") {
        throw new LauncherError("usage", `Option --${name} needs a value`);
      }
      values.set(name, value);
    } else {
      throw new LauncherError(
        "usage",
        `Unknown option \`--${name}\`; see --help`,
      );
    }
  }
  if (flags.has("print") && flags.has("check")) {
    throw new LauncherError(
      "usage",
      "Options --print and --check cannot be combined",
    );
  }
  const help = flags.has("help");
  const properties = values.get("properties");
  if (properties === undefined && !help) {
    throw new LauncherError(
      "usage",
      "Option --properties <file> is required; see --help",
    );
  }
  const retryDelay = Number(
    values.get("retry-delay") ?? DEFAULT_RETRY_POLICY.baseDelayMs,
  );
  if (!Number.isFinite(retryDelay) || retryDelay < 0) {
    throw new LauncherError(
      "usage",
      "Option --retry-delay needs a number of milliseconds",
    );
  }
  return {
    properties: properties ?? "",
    kcl: values.get("kcl") ?? DEFAULT_KCL_VERSION,
    repository: values.get("repository") ?? MAVEN_CENTRAL,
    cache: values.get("cache"),
    java: values.get("java"),
    logConfiguration: values.get("log-configuration"),
    mode: flags.has("print") ? "print" : flags.has("check") ? "check" : "run",
    offline: flags.has("offline"),
    retryDelayMs: retryDelay,
    help,
  };
}

/**
 * The help text.
 *
 * @example
 * ```ts
 * import { helpText } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.match(helpText(), /3\.5\.1 \(experimental/);
 * ```
 */
export function helpText(): string {
  const sets = CLASSPATH_SETS.map((set) =>
    `    ${set.kcl}${set.kcl === DEFAULT_KCL_VERSION ? " (default)" : ""}${
      set.experimental ? " (experimental: derived jar list, never run)" : ""
    }`
  ).join("\n");
  return `Usage: launcher --properties <file> [options]

Downloads (once, verified) the jars of the Amazon KCL MultiLangDaemon and runs
it with your properties file. Needs only a JDK.

Options:
  -p, --properties <file>      the daemon properties file (required)
  --kcl <version>              which KCL release's jars to use:
${sets}
  --repository <url>           Maven repository or mirror (default ${MAVEN_CENTRAL})
  --cache <dir>                jar cache (default $XDG_CACHE_HOME/kcl-multilang,
                               ~/.cache/kcl-multilang, %LOCALAPPDATA%\\kcl-multilang)
  --java <path>                java executable (default $JAVA_HOME/bin/java, then java on PATH)
  --log-configuration <file>   logback.xml passed to the daemon
  --print                      print the daemon command line instead of running it
  --check                      validate properties, Java and cache; download and run nothing
  --offline                    use the cache only
  --retry-delay <ms>           first download retry delay (default ${DEFAULT_RETRY_POLICY.baseDelayMs})
  -h, --help                   show this help

Exit code: the daemon's; 1 when the launcher fails, 2 for a usage error.
`;
}

/**
 * The part of the runtime host the CLI uses (the runtime adapters provide it).
 *
 * @example Run the CLI on a host that records stderr
 * ```ts
 * import { type LauncherHost, main } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * let stderr = "";
 * const host: LauncherHost = {
 *   runtime: "deno",
 *   env: () => undefined,
 *   stdout: () => new WritableStream(),
 *   writeStderr: (text) => void (stderr += text),
 *   stderrIsTerminal: () => false,
 *   onSignal: () => {},
 * };
 * assert.equal(await main(["--help"], host), 0);
 * assert.match(stderr, /^Usage: launcher --properties <file>/);
 * assert.equal(await main(["--verbose"], host), 2);
 * assert.match(stderr, /error: Unknown option `--verbose`/);
 * ```
 */
export interface LauncherHost {
  /** Which runtime this is (for the proxy note). */
  readonly runtime: "deno" | "bun" | "node";
  /** An environment variable, or `undefined`. */
  env(name: string): string | undefined;
  /** The whole environment, to extend for the daemon (optional). */
  environment?(): Record<string, string> | undefined;
  /** Standard output, for `--print`. */
  stdout(): WritableStream<Uint8Array>;
  /** Writes diagnostics. */
  writeStderr(text: string): void;
  /** Whether stderr is a terminal (live progress). */
  stderrIsTerminal(): boolean;
  /** Installs a signal handler (forwarded to the daemon). */
  onSignal(signal: ForwardedSignal, handler: () => void): void;
}

/**
 * Runs the launcher CLI with `args` on `host` (default: this runtime's) and resolves with the exit
 * code; never exits the process itself.
 *
 * @example Check a setup from a script
 * ```ts ignore
 * import { main } from "@kcl/multilang/launcher";
 * const code = await main(["--properties", "app.properties", "--check"]);
 * if (code !== 0) throw new Error(`launcher check failed with exit code ${code}`);
 * ```
 */
export async function main(
  args: readonly string[],
  host?: LauncherHost,
): Promise<number> {
  const io = host ?? await getHost();
  const log = (text: string): void => io.writeStderr(text);
  try {
    const options = parseCliArgs(args);
    if (options.help) {
      log(helpText());
      return 0;
    }
    const cacheDir = options.cache ??
      defaultCacheDir((name) => io.env(name), delimiter === ";");
    if (cacheDir === undefined) {
      throw new LauncherError(
        "usage",
        "Cannot choose a cache folder: HOME is not set; pass --cache <dir>",
      );
    }
    return await launch({
      properties: options.properties,
      cacheDir,
      kcl: options.kcl,
      repository: options.repository,
      java: options.java,
      logConfiguration: options.logConfiguration,
      mode: options.mode,
      offline: options.offline,
      retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: options.retryDelayMs },
      env: (name) => io.env(name),
      log,
      print: async (text) => {
        const writer = io.stdout().getWriter();
        await writer.write(new TextEncoder().encode(text));
        writer.releaseLock();
      },
      stderrIsTerminal: io.stderrIsTerminal(),
      onSignal: (signal, handler) => io.onSignal(signal, handler),
      runtime: io.runtime,
      daemonEnvironment: io.environment?.(),
    });
  } catch (error) {
    if (error instanceof LauncherError) {
      log(`error: ${error.message}\n`);
      return error.exitCode;
    }
    log(
      `error: Unexpected launcher failure: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`,
    );
    return 1;
  }
}
