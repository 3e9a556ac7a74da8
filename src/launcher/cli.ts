/**
 * The launcher's command-line entry: `main`.
 *
 * @module
 */

import { delimiter } from "node:path";
import {
  formatMissingPermissions,
  formatRefusal,
  missingPermissions,
  type PermissionNeed,
  permissionRefusal,
} from "../runtime/_cli_permission.ts";
import { cliProcess } from "../runtime/_cli_process.ts";
import { defaultCacheDir } from "./_cache_dir.ts";
import { type CliOptions, helpText, parseCliArgs } from "./_cli_args.ts";
import { defaultLockPath } from "./_lock_file.ts";
import { launch } from "./launch.ts";
import { LauncherError } from "./launcher_error.ts";

/**
 * Runs the launcher command line with `args` (the words after the script)
 * and resolves with the exit code: the daemon's when it ran, 0 after
 * `--help`, `--print`, `--fetch` or a passed `--check`, 1 when the launcher
 * or a check failed, 2 for a usage error or, on Deno, a missing permission
 * flag. It writes to this process's stdout and stderr and never exits the
 * process: the caller decides what to do with the code (set it as the exit
 * code rather than exiting at once, so that output still queued on a pipe
 * reaches it).
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
  // Handlers from the start, not once the daemon runs: Bun makes a handler effective only some time after it is
  // added, and a signal in between would kill the launcher and orphan the daemon. Until the daemon runs, a signal ends
  // the launcher as it would by default; then it is forwarded to the daemon.
  const forward = new Map<"SIGINT" | "SIGTERM", () => void>();
  const removers = (["SIGINT", "SIGTERM"] as const).map((signal) =>
    io.onSignal(signal, () => {
      const handler = forward.get(signal);
      if (handler !== undefined) return handler();
      log(`Stopped by ${signal} before the daemon started\n`);
      io.exitNow(signal === "SIGINT" ? 130 : 143);
    })
  );
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
    const missing = missingPermissions(permissionsFor(options, cacheDir));
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
      onSignal: (signal, handler) => void forward.set(signal, handler),
      runtime: io.runtime,
      daemonEnvironment: io.environment(),
    });
  } catch (error) {
    const refusal = permissionRefusal(error);
    if (refusal !== undefined) {
      const action = error instanceof LauncherError && error.kind !== "permission" ? `${error.message}: ` : "";
      log(`error: ${action}${formatRefusal(refusal)}\n`);
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
    for (const remove of removers) remove();
  }
}

const ENV: PermissionNeed = {
  name: "env",
  why: "to read HOME, PATH, JAVA_HOME and proxy settings, and to pass the environment to the daemon",
};

/**
 * What the launcher will need for `options`, queried up front so that a
 * refusal names every flag at once (file system and network access for the
 * places it will use, so that scoped grants such as `--allow-net=<host>` pass).
 */
function permissionsFor(options: CliOptions, cacheDir: string | undefined): PermissionNeed[] {
  const downloads = (options.mode === "run" || options.mode === "fetch") && !options.offline;
  const writes = options.mode === "run" || options.mode === "fetch";
  const needs: PermissionNeed[] = [
    ENV,
    { name: "read", target: options.properties, why: "to read the properties file" },
    { name: "read", target: cacheDir, why: "to read the jar cache" },
    { name: "run", target: options.java ?? "java", why: "to run Java" },
  ];
  if (writes) {
    needs.push(
      { name: "write", target: cacheDir, why: "to fill the jar cache" },
      { name: "write", target: options.lock ?? defaultLockPath(options.properties), why: "to write the lock file" },
    );
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
