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
import type { HostSignal } from "../runtime/cli.ts";
import { findProgram } from "../cli/find_program.ts";
import { signalExitCode } from "../cli/catch_signals.ts";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import {
  accepts,
  bindPrivateSocket,
  LISTEN_FD_VARIABLE,
  listeningDescriptor,
  READY_FD_VARIABLE,
  sharedDirectoryProblem,
} from "../host/socket_path.ts";
import { createSessionCounts } from "../host/accept_balance.ts";
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
  /** How many host processes accept on the socket. @default {the number of cores} */
  readonly processes?: number | undefined;
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
        "write `executableName = socat -b 65536 STDIO UNIX-CONNECT:<socket path>`",
    );
  }
  return relay;
}

/**
 * Binds the relay's socket (the checks of `serveShards`: private directory,
 * a dead host's socket replaced, a live one refused), starts `processes`
 * host processes that all accept on it, waits until each says it is ready,
 * runs the daemon and resolves with its exit code once the hosts are
 * stopped too. A signal before the daemon runs stops the hosts and resolves
 * with 128 + n.
 */
export async function runWithHost(run: HostRun): Promise<number> {
  const relay = await relayOfProperties(run.properties, run.cwd);
  if (relay.problem !== undefined) {
    throw new LauncherError("properties", `Cannot run ${relay.program}: ${relay.problem}`);
  }
  const [program, ...args] = run.host.trim().split(/ +/);
  if (program === undefined || program === "") throw new LauncherError("usage", "Option --host needs a command");
  const server = createServer();
  const bound = await bindPrivateSocket(server, relay.socketPath).catch((error: Error) => {
    throw new LauncherError("usage", `Cannot start the shard host: ${error.message}`, { cause: error });
  });
  const fd = listeningDescriptor(server);
  const processes = run.processes ?? availableParallelism();
  run.log(`Starting ${processes} shard host process(es) on ${bound.path}: ${run.host}\n`);
  const counts = await createSessionCounts(bound.path, processes).catch(async (error: Error) => {
    server.close();
    await bound.remove();
    throw new LauncherError("usage", `Cannot start the shard host: ${error.message}`, { cause: error });
  });
  const hosts = Array.from({ length: processes }, (_, i) => startHost(program, args, fd, run, counts.environment(i)));
  // The hosts hold the socket now: once they are all gone, a relay's connection is refused at once.
  server.close();
  const stopHosts = async (): Promise<number[]> => {
    const codes = await Promise.all(hosts.map((host) => host.stop()));
    await bound.remove();
    await counts.remove();
    return codes;
  };

  let stoppedBy: HostSignal | undefined;
  let signalled = () => {};
  const signal = new Promise<void>((resolve) => signalled = resolve);
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    run.onSignal?.(name, () => {
      stoppedBy ??= name;
      signalled();
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    Promise.all(hosts.map((host) => host.ready)).then(() => "ready" as const),
    signal.then(() => "signal" as const),
    new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), HOST_START_MS)),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready") {
    const codes = await stopHosts();
    if (outcome === "signal") {
      run.log(`Stopped by ${stoppedBy} before the daemon started\n`);
      return signalExitCode(stoppedBy!);
    }
    throw new LauncherError(
      "usage",
      `Cannot start the daemon: the shard host ${describeStart(codes)} within ${HOST_START_MS / 1000} s`,
    );
  }
  const failed = (await Promise.all(hosts.map((host) => host.failedStart))).find((code) => code !== undefined);
  if (failed !== undefined) {
    await stopHosts();
    throw new LauncherError(
      "usage",
      `Cannot start the daemon: the shard host exited with code ${failed} before serving at ${bound.path}`,
    );
  }
  run.log(`The shard host serves at ${bound.path}; starting the daemon\n`);
  let daemonRunning = true;
  for (const host of hosts) {
    void host.exited.then((code) => {
      if (daemonRunning && !host.stopping) {
        run.log(`error: A shard host process exited with code ${code} while the daemon runs: its shards fail\n`);
      }
    });
  }
  let code: number;
  try {
    code = await runDaemon(run.daemon, run.onSignal, run.environment);
  } finally {
    daemonRunning = false;
    const codes = await stopHosts();
    const bad = codes.filter((hostCode) => hostCode !== 0);
    if (bad.length > 0) run.log(`warning: The shard host exited with code ${bad.join(", ")}\n`);
  }
  return code;
}

function describeStart(codes: readonly number[]): string {
  return `did not say it was ready (exit codes ${codes.join(", ")})`;
}

/** One host process, started with the socket at fd 3 and a readiness pipe at fd 4. */
interface HostProcess {
  /** Resolves once the host says it is ready, or once it exited (see `failedStart`). */
  readonly ready: Promise<void>;
  /** After `ready`: the exit code if the host exited instead of getting ready. */
  readonly failedStart: Promise<number | undefined>;
  readonly exited: Promise<number>;
  readonly stopping: boolean;
  /** SIGTERM, then SIGKILL after {@linkcode HOST_STOP_MS}; resolves with the exit code. */
  stop(): Promise<number>;
}

function startHost(
  program: string,
  args: readonly string[],
  fd: number,
  run: HostRun,
  balance: Record<string, string>,
): HostProcess {
  const child = spawn(program, args, {
    stdio: ["ignore", "inherit", "inherit", fd, "pipe"],
    cwd: run.cwd,
    env: { ...(run.environment ?? {}), ...balance, [LISTEN_FD_VARIABLE]: "3", [READY_FD_VARIABLE]: "4" },
  });
  let stopping = false;
  let gone = false;
  const exited = new Promise<number>((resolve) => {
    // Ended by the SIGTERM we sent counts as stopped (Deno's child_process reports that even after a clean exit).
    child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGTERM" && stopping ? 0 : 128)));
    child.on("error", (error) => {
      run.log(`error: Cannot start the shard host \`${program}\`: ${error.message}\n`);
      resolve(127);
    });
  });
  void exited.then(() => gone = true);
  let said = false;
  const readyPipe = child.stdio[4] as NodeJS.ReadableStream | null;
  const saidReady = new Promise<void>((resolve) => {
    readyPipe?.on("data", () => {
      said = true;
      resolve();
    });
    readyPipe?.on("error", () => {});
  });
  const ready = Promise.race([saidReady, exited.then(() => {})]);
  return {
    ready,
    failedStart: ready.then(async () => said ? undefined : await exited),
    exited,
    get stopping() {
      return stopping;
    },
    async stop() {
      stopping = true;
      if (!gone) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), HOST_STOP_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
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
