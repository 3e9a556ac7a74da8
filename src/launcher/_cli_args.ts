/**
 * The launcher's command line, parsed with `parseArgs` from `node:util`,
 * and its help text.
 *
 * @module
 */

import { type ParsedOptions, parseOptions, UsageError } from "../cli/parse_options.ts";
import { requireRepositoryUrl } from "./_launch_steps.ts";
import { DOWNLOAD_RETRY, MAVEN_CENTRAL } from "./_maven_download.ts";
import { CLASSPATH_SETS, DEFAULT_KCL_VERSION } from "./classpath_sets.ts";
import type { LaunchMode } from "./launch.ts";
import { LauncherError } from "./launcher_error.ts";

/** The parsed command line. */
export interface CliOptions {
  /** `--properties`: the daemon properties file. */
  readonly properties: string;
  /** `--kcl`: which classpath set. */
  readonly kcl: string;
  /** `--repository`: Maven repository or mirror. */
  readonly repository: string;
  /** `--cache`: cache folder, if given. */
  readonly cache: string | undefined;
  /** `--lock`: lock file, if given. */
  readonly lock: string | undefined;
  /** `--java`: path of `java`, if given. */
  readonly java: string | undefined;
  /** `--log-configuration`: logback file, if given. */
  readonly logConfiguration: string | undefined;
  /** `--print` / `--fetch` / `--check` / none of them. */
  readonly mode: LaunchMode;
  /** `--offline`. */
  readonly offline: boolean;
  /** `--retry-delay`: upper bound of the first download retry delay, in milliseconds. */
  readonly retryDelayMs: number;
  /** `--help`. */
  readonly help: boolean;
  /** `--host`: the shard host's command, if given. */
  readonly host: string | undefined;
  /** `--host-processes`: how many, if given. */
  readonly hostProcesses: number | undefined;
}

const OPTIONS = {
  properties: { type: "string", short: "p" },
  kcl: { type: "string" },
  repository: { type: "string" },
  cache: { type: "string" },
  lock: { type: "string" },
  java: { type: "string" },
  "log-configuration": { type: "string" },
  "retry-delay": { type: "string" },
  host: { type: "string" },
  "host-processes": { type: "string" },
  print: { type: "boolean" },
  fetch: { type: "boolean" },
  check: { type: "boolean" },
  offline: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const MODES = ["print", "fetch", "check"] as const;

/**
 * Parses launcher arguments (`--name value` or `--name=value`; `-p` and `-h`
 * are short for `--properties` and `--help`). Throws a `usage`
 * {@linkcode LauncherError} for unknown options (with the closest known
 * one), missing values and stray arguments.
 */
export function parseCliArgs(args: readonly string[]): CliOptions {
  let parsed: ParsedOptions;
  try {
    parsed = parseOptions(args, OPTIONS);
  } catch (error) {
    throw error instanceof UsageError ? new LauncherError("usage", error.message) : error;
  }
  const [stray] = parsed.positionals;
  if (stray !== undefined) throw new LauncherError("usage", `Unexpected argument \`${stray}\`; see --help`);
  const string = (name: keyof typeof OPTIONS): string | undefined => parsed.strings.get(name);
  const values = Object.fromEntries([...parsed.flags].map((flag) => [flag, true])) as Partial<Record<string, true>>;
  const modes = MODES.filter((mode) => values[mode] === true);
  if (modes.length > 1) {
    throw new LauncherError("usage", `Options ${modes.map((mode) => `--${mode}`).join(" and ")} cannot be combined`);
  }
  const help = values.help === true;
  const properties = string("properties");
  if (properties === undefined && !help) {
    throw new LauncherError("usage", "Option --properties <file> is required; see --help");
  }
  const retryDelay = Number(string("retry-delay") ?? DOWNLOAD_RETRY.baseDelayMs);
  if (!Number.isFinite(retryDelay) || retryDelay < 0) {
    throw new LauncherError("usage", "Option --retry-delay needs a number of milliseconds");
  }
  const hostProcesses = string("host-processes");
  if (hostProcesses !== undefined && !/^[1-9][0-9]*$/.test(hostProcesses)) {
    throw new LauncherError("usage", "Option --host-processes needs a whole number of processes, 1 or more");
  }
  return {
    properties: properties ?? "",
    kcl: string("kcl") ?? DEFAULT_KCL_VERSION,
    repository: requireRepositoryUrl(string("repository") ?? MAVEN_CENTRAL),
    cache: string("cache"),
    lock: string("lock"),
    java: string("java"),
    logConfiguration: string("log-configuration"),
    mode: modes[0] ?? "run",
    offline: values.offline === true,
    retryDelayMs: retryDelay,
    help,
    host: string("host"),
    hostProcesses: hostProcesses === undefined ? undefined : Number(hostProcesses),
  };
}

/** The help text (printed on stdout by `--help`). */
export function helpText(): string {
  const sets = CLASSPATH_SETS.map((set) =>
    `    ${set.kcl} (${
      set.kcl === DEFAULT_KCL_VERSION ? "default; " : ""
    }${set.artifacts.length} jars, Java ${set.javaMin}+)`
  ).join("\n");
  return `Usage: kcl-launcher --properties <file> [options]

Downloads (once, verified against pinned SHA-256 digests, locked) the jars of the Amazon KCL MultiLangDaemon
and runs it with your properties file. Needs only a JDK.

Options:
  -p, --properties <file>      the daemon properties file (required)
  --kcl <version>              which KCL release's jars to use:
${sets}
  --repository <url>           Maven repository or mirror (default ${MAVEN_CENTRAL})
  --cache <dir>                jar cache (default $XDG_CACHE_HOME/kcl-multilang,
                               ~/.cache/kcl-multilang, %LOCALAPPDATA%\\kcl-multilang)
  --lock <file>                lock file: SHA-256 and size of every jar, written after
                               the first download, checked on every run (default
                               beside the properties file: app.properties -> app.kcl.lock)
  --java <path>                java executable (default $JAVA_HOME/bin/java, then java on PATH)
  --log-configuration <file>   logback.xml passed to the daemon
  --check                      check properties, Java, cache and lock; download and run nothing
  --print                      print the daemon command line; download and run nothing
  --fetch                      download the jars (and write the lock); run nothing
  --offline                    use the cache only
  --host "<command>"           start this shard host first (executableName is its relay,
                               socat STDIO UNIX-CONNECT:<path>), the daemon once the socket
                               accepts; stop the host after the daemon
  --host-processes <n>         host processes accepting on the one socket (default: the
                               number of cores; they spread the connections evenly)
  --retry-delay <ms>           first download retry delay, at most (default ${DOWNLOAD_RETRY.baseDelayMs}; doubled
                               per retry, ${DOWNLOAD_RETRY.attempts} attempts)
  -h, --help                   show this help

Exit code: the daemon's; 1 when the launcher or a --check fails, 2 for a usage error
(or, on Deno, a missing permission flag).
`;
}
