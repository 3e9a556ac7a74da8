/**
 * `kcl-launcher --host "<command>"`: starts the shard host first, waits
 * until its socket accepts, runs the daemon (signals forwarded to it), and
 * stops the host once the daemon has shut down. And the relay's part of
 * `--check`: the relay program and its socket path.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { HostSignal } from "../runtime/_host.ts";
import { findProgram } from "../cli/find_program.ts";
import { signalExitCode } from "../cli/catch_signals.ts";
import { accepts, sharedDirectoryProblem } from "../host/_socket_path.ts";
import { readPropertiesFile } from "./_launch_steps.ts";
import { type RelayCommand, relayOf } from "./_relay_command.ts";
import { runDaemon } from "./_run_daemon.ts";
import { LauncherError } from "./launcher_error.ts";
import type { PropertyEntry } from "./properties_parser.ts";

/** How long the host may take to accept connections. */
const HOST_START_MS = 60_000;
/** How long the host may take to exit after SIGTERM (it waits up to 30 s for sessions) before SIGKILL. */
const HOST_STOP_MS = 45_000;

/** What {@linkcode runWithHost} needs. */
export interface HostRun {
  /** The host's command line, split on spaces as the daemon splits `executableName`. */
  readonly host: string;
  readonly properties: string;
  readonly cwd: string;
  /** The daemon's command line. */
  readonly daemon: readonly string[];
  readonly onSignal: ((signal: HostSignal, handler: () => void) => void) | undefined;
  readonly environment: Record<string, string> | undefined;
  readonly log: (text: string) => void;
}

/** The relay of the properties' `executableName`, or a `properties` error saying it runs none. */
export async function relayOfProperties(properties: string, cwd: string): Promise<RelayCommand> {
  const entries = await readPropertiesFile(properties, cwd);
  const executableName = executableNameOf(entries);
  const relay = relayOf(executableName, cwd);
  if (relay === undefined) {
    throw new LauncherError(
      "properties",
      `Cannot run a shard host: \`executableName = ${executableName}\` in ${properties} is no relay to a host; ` +
        "write `executableName = socat STDIO UNIX-CONNECT:<socket path>`",
    );
  }
  return relay;
}

/**
 * Starts the host, waits until its socket accepts, runs the daemon and
 * resolves with the daemon's exit code once the host is stopped too. A
 * signal before the daemon runs stops the host and resolves with 128 + n.
 */
export async function runWithHost(run: HostRun): Promise<number> {
  const relay = await relayOfProperties(run.properties, run.cwd);
  if (relay.problem !== undefined) {
    throw new LauncherError("properties", `Cannot run ${relay.program}: ${relay.problem}`);
  }
  const [program, ...args] = run.host.trim().split(/ +/);
  if (program === undefined || program === "") throw new LauncherError("usage", "Option --host needs a command");
  if (await accepts(relay.socketPath)) {
    throw new LauncherError(
      "usage",
      `Cannot start the shard host: another host is serving at ${relay.socketPath} already; stop it, or run without --host`,
    );
  }
  run.log(`Starting the shard host: ${run.host}\n`);
  const host = spawn(program, args, {
    stdio: ["ignore", "inherit", "inherit"],
    cwd: run.cwd,
    ...(run.environment === undefined ? {} : { env: run.environment }),
  });
  const hostExit = new Promise<number>((resolve) => {
    // Ended by the SIGTERM we sent counts as stopped (Deno's child_process reports that even after a clean exit).
    host.on("exit", (code, signal) => resolve(code ?? (signal === "SIGTERM" && stopping ? 0 : 128)));
    host.on("error", (error) => {
      run.log(`error: Cannot start the shard host \`${program}\`: ${error.message}\n`);
      resolve(127);
    });
  });
  let hostGone = false;
  let stopping = false;
  void hostExit.then(() => hostGone = true);
  const stopHost = async (): Promise<number> => {
    stopping = true;
    if (!hostGone) host.kill("SIGTERM");
    const timer = setTimeout(() => host.kill("SIGKILL"), HOST_STOP_MS);
    const code = await hostExit;
    clearTimeout(timer);
    return code;
  };

  let stoppedBy: HostSignal | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) run.onSignal?.(signal, () => void (stoppedBy ??= signal));
  const started = Date.now();
  while (!(await accepts(relay.socketPath))) {
    if (stoppedBy !== undefined) {
      await stopHost();
      run.log(`Stopped by ${stoppedBy} before the daemon started\n`);
      return signalExitCode(stoppedBy);
    }
    if (hostGone) {
      throw new LauncherError(
        "usage",
        `Cannot start the daemon: the shard host exited with code ${await hostExit} before serving at ${relay.socketPath}`,
      );
    }
    if (Date.now() - started > HOST_START_MS) {
      await stopHost();
      throw new LauncherError(
        "usage",
        `Cannot start the daemon: the shard host did not serve at ${relay.socketPath} within ${
          HOST_START_MS / 1000
        } s (stopped)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.log(`The shard host serves at ${relay.socketPath}; starting the daemon\n`);
  // A host that dies under the daemon fails every relay: the daemon is told to stop.
  let daemonRunning = true;
  const daemon = runDaemon(run.daemon, run.onSignal, run.environment);
  void hostExit.then((code) => {
    if (!daemonRunning) return;
    run.log(`error: The shard host exited with code ${code} while the daemon runs; stopping the daemon\n`);
  });
  let code: number;
  try {
    code = await daemon;
  } finally {
    daemonRunning = false;
    const hostCode = await stopHost();
    if (hostCode !== 0) run.log(`warning: The shard host exited with code ${hostCode}\n`);
  }
  return code;
}

/** One line of the `--check` report. */
export interface RelayFinding {
  readonly status: "ok" | "warning" | "error";
  readonly label: string;
  readonly detail: string;
}

/**
 * The relay's findings for `--check`: none when `executableName` runs no
 * relay; else whether the relay program is found, its options are right,
 * the socket's directory is private, and a host serves there (expected
 * only without `--host`).
 */
export async function checkRelay(
  entries: readonly PropertyEntry[],
  cwd: string,
  path: string,
  withHost: boolean,
): Promise<RelayFinding[]> {
  const relay = relayOf(executableNameOf(entries), cwd);
  if (relay === undefined) return [];
  const findings: RelayFinding[] = [];
  const found = await findProgram(relay.program, { path, cwd });
  findings.push(
    found === undefined
      ? { status: "error", label: "relay", detail: `\`${relay.program}\` is not on PATH (apt-get install socat)` }
      : relay.problem !== undefined
      ? { status: "error", label: "relay", detail: relay.problem }
      : { status: "ok", label: "relay", detail: `${found} connects each shard to ${relay.socketPath}` },
  );
  const dir = dirname(relay.socketPath);
  const dirStat = await stat(dir).catch(() => undefined);
  const shared = dirStat === undefined ? undefined : sharedDirectoryProblem(dir, dirStat.mode);
  if (dirStat === undefined || !dirStat.isDirectory()) {
    findings.push({
      status: "error",
      label: "socket",
      detail: `the directory ${dir} does not exist (mkdir -m 700 -p ${dir})`,
    });
  } else if (shared !== undefined) {
    findings.push({ status: "error", label: "socket", detail: shared });
  } else if (await accepts(relay.socketPath)) {
    findings.push(
      withHost
        ? {
          status: "error",
          label: "socket",
          detail: `a host serves at ${relay.socketPath} already: --host would start a second one`,
        }
        : { status: "ok", label: "socket", detail: `a shard host serves at ${relay.socketPath}` },
    );
  } else {
    findings.push(
      withHost
        ? { status: "ok", label: "socket", detail: `${relay.socketPath} is free; --host starts the host there first` }
        : {
          status: "error",
          label: "socket",
          detail: `no shard host serves at ${relay.socketPath}: every relay would fail at once and the daemon stop; ` +
            `start the host first, or pass --host "<command>"`,
        },
    );
  }
  return findings;
}

function executableNameOf(entries: readonly PropertyEntry[]): string {
  return entries.findLast((entry) => entry.key === "executableName")?.value.trim() ?? "";
}
