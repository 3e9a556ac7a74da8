/**
 * Starts a shard host (tests/fixtures/shard_host.ts, or another script) as
 * a child on the runtime running the tests, and relays (socat) to it driven
 * by a FakeDaemon.
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { FakeDaemon } from "../../../src/testing/mod.ts";
import { childCommand, repoPath } from "../child_command.ts";

/** Deno's permissions for a host: its socket (node:net needs --allow-net for a Unix socket) and KCL_LOG_LEVEL. */
export const HOST_DENO_FLAGS = ["--allow-read", "--allow-write", "--allow-env", "--allow-net"];

/** A host running as a child process. */
export interface HostChild {
  readonly child: ChildProcess;
  /** Everything the host wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (through process.kill: Deno's child.kill reports the signal as the exit reason). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once it printed `ready` (rejects if it exits first, with its stderr). */
  readonly ready: Promise<void>;
}

const started: HostChild[] = [];

/** Kills every host still running (call from a file-level `after`). */
export async function killHosts(): Promise<void> {
  const running = started.splice(0).filter((host) => host.child.exitCode === null && host.child.signalCode === null);
  for (const host of running) host.child.kill("SIGKILL");
  await Promise.all(running.map((host) => host.exited));
}

/**
 * Starts `script` (default: the test fixture) as a host serving at `path`;
 * with `listenFd`, on that listening socket, passed as fd 3 as
 * `kcl-launcher --host` passes it, and `environment` added to the host's.
 */
export function startHost(
  path: string,
  script = repoPath("tests/fixtures/shard_host.ts"),
  listenFd?: number,
  environment: Record<string, string> = {},
): HostChild {
  const [command, args] = childCommand(script, HOST_DENO_FLAGS, [path]);
  const child = spawn(command, args, {
    stdio: listenFd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "pipe", listenFd],
    env: { ...process.env, ...environment, ...(listenFd === undefined ? {} : { KCL_HOST_LISTEN_FD: "3" }) },
  });
  let stderr = "";
  let stdout = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => void (stderr += text));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (stdout.includes("ready")) resolve();
    });
    void exited.then((code) => reject(new Error(`The host exited (${code}) before it was ready:\n${stderr}`)));
  });
  const host: HostChild = {
    child,
    stderr: () => stderr,
    exited,
    ready,
    signal: (signal) => void process.kill(child.pid!, signal),
  };
  started.push(host);
  return host;
}

/** A FakeDaemon whose child is the recommended socat relay to `path` (with socat's `retry` options, when given). */
export function relay(path: string, connectOptions = ""): Promise<FakeDaemon> {
  return FakeDaemon.spawn("socat", ["-b", "65536", "STDIO", `UNIX-CONNECT:${path}${connectOptions}`], {
    timeoutMs: 60_000,
  });
}
