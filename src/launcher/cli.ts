/**
 * The launcher's command-line entry: `main`.
 *
 * @module
 */

import { delimiter } from "node:path";
import {
  cliProcess,
  formatMissingPermissions,
  formatRefusal,
  missingPermissions,
  type PermissionNeed,
  permissionRefusal,
} from "../runtime/cli.ts";
import { catchSignals } from "../cli/catch_signals.ts";
import { defaultCacheDir } from "./_cache_dir.ts";
import { type CliOptions, helpText, parseCliArgs } from "./_cli_args.ts";
import { locateJava } from "./_java_runtime.ts";
import { defaultLockPath } from "./_lock_file.ts";
import { launch } from "./launch.ts";
import { LauncherError } from "./launcher_error.ts";

/**
 * Runs the launcher command line with `args` (the words after the script)
 * and resolves with the exit code: the daemon's when it ran, 0 after
 * `--help`, `--print`, `--fetch` or a passed `--check`, 1 when the launcher
 * or a check failed, 2 for a usage error or, on Deno, a missing permission
 * flag. It writes to this process's stdout and stderr and does not exit the
 * process: the caller decides what to do with the code (set it as the exit
 * code rather than exiting at once, so that output still queued on a pipe
 * reaches it). One exception: a SIGINT or SIGTERM that arrives before the
 * daemon starts (during a download, say) ends the process at once with
 * 130 or 143, as the signal would by default; once the daemon runs, signals
 * are forwarded to it and `main` resolves with its exit code.
 *
 * @example Run the launcher from a script (an illustration: it needs a JDK and the network)
 * ```ts ignore
 * import { main } from "@kcl/multilang/launcher";
 *
 * const code = await main(["--properties", "app.properties", "--check"]);
 * if (code !== 0) console.error(`fix the properties first (launcher exit code ${code})`);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const io = cliProcess();
  const log = (text: string): void => io.writeStderr(text);
  // Until the daemon runs, a signal ends the launcher; then launch() forwards it to the daemon.
  const signals = catchSignals(io, "the daemon");
  try {
    const options = parseCliArgs(args);
    if (options.help) {
      await io.writeStdout(helpText());
      return 0;
    }
    const env = (name: string): string | undefined => io.env(name);
    // Without env access the default cache folder is unknown: ask for the permissions in general then.
    const envGranted = missingPermissions([ENV]).length === 0;
    const cacheDir = options.cache ?? (envGranted ? defaultCacheDir(env, delimiter === ";") : undefined);
    const java = await javaToRun(options, env, envGranted);
    const missing = missingPermissions(permissionsFor(options, cacheDir, java));
    if (missing.length > 0) {
      throw new LauncherError("permission", `Cannot start the launcher: ${formatMissingPermissions(missing)}`);
    }
    if (cacheDir === undefined) {
      throw new LauncherError("usage", "Cannot choose a cache folder: HOME is not set; pass --cache <dir>");
    }
    return await launch({
      properties: options.properties,
      cacheDir,
      kcl: options.kcl,
      repository: options.repository,
      lock: options.lock,
      java: options.java,
      logConfiguration: options.logConfiguration,
      mode: options.mode,
      offline: options.offline,
      retry: { baseDelayMs: options.retryDelayMs },
      env,
      log,
      print: io.writeStdout,
      stderrIsTerminal: io.stderrIsTerminal,
      onSignal: signals.route,
      runtime: io.runtime,
      daemonEnvironment: io.environment(),
      host: options.host,
      hostProcesses: options.hostProcesses,
    });
  } catch (error) {
    const refusal = permissionRefusal(error);
    if (refusal !== undefined) {
      const text = formatRefusal(refusal);
      // A launcher error that already names the refusal says what failed too; another gets the refusal appended.
      const message = !(error instanceof LauncherError)
        ? text
        : error.message.includes(text)
        ? error.message
        : error.kind === "permission"
        ? text
        : `${error.message}: ${text}`;
      log(`error: ${message}\n`);
      return 2;
    }
    if (error instanceof LauncherError) {
      log(`error: ${error.message}\n`);
      return error.exitCode;
    }
    log(
      `error: Unexpected launcher failure: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    signals.remove();
  }
}

const ENV: PermissionNeed = {
  name: "env",
  why: "to read HOME, PATH, JAVA_HOME and proxy settings, and to pass the environment to the daemon",
};

/**
 * The `java` the launcher will run, for the up-front permission query: the
 * one {@linkcode locateJava} finds (`--java`, `$JAVA_HOME/bin/java`, `java`
 * on PATH), so that a grant scoped to another one (`--allow-run=java` with
 * JAVA_HOME set) is caught up front. Without env or read access, or when
 * none is found (reported later, with its fix): `--java` or `java`.
 */
async function javaToRun(
  options: CliOptions,
  env: (name: string) => string | undefined,
  envGranted: boolean,
): Promise<string> {
  const fallback = options.java ?? "java";
  if (!envGranted) return fallback;
  try {
    return await locateJava({
      java: options.java,
      javaHome: env("JAVA_HOME"),
      path: env("PATH"),
      windows: delimiter === ";",
    });
  } catch (error) {
    if (error instanceof LauncherError || permissionRefusal(error) !== undefined) return fallback;
    throw error;
  }
}

/**
 * What the launcher will need for `options`, queried up front so that a
 * refusal names every flag at once (file system and network access for the
 * places it will use, so that scoped grants such as `--allow-net=<host>` pass;
 * run access for the `java` it will run).
 */
function permissionsFor(options: CliOptions, cacheDir: string | undefined, java: string): PermissionNeed[] {
  const downloads = (options.mode === "run" || options.mode === "fetch") && !options.offline;
  const writes = options.mode === "run" || options.mode === "fetch";
  const needs: PermissionNeed[] = [
    ENV,
    { name: "read", target: options.properties, why: "to read the properties file" },
    { name: "read", target: cacheDir, why: "to read the jar cache" },
    { name: "run", target: java, why: "to run Java" },
  ];
  if (writes) {
    needs.push(
      { name: "write", target: cacheDir, why: "to fill the jar cache" },
      { name: "write", target: options.lock ?? defaultLockPath(options.properties), why: "to write the lock file" },
    );
  }
  const hostProgram = options.host?.trim().split(/ +/)[0];
  if (hostProgram !== undefined && options.mode === "run") {
    needs.push({ name: "run", target: hostProgram, why: "to run the shard host" });
    needs.push({ name: "net", why: "to see when the shard host's socket accepts (node:net on Deno)" });
  }
  if (downloads) {
    needs.push({ name: "net", target: hostOf(options.repository), why: `to download jars from ${options.repository}` });
  }
  return needs;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
