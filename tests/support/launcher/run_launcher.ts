/**
 * Runs `src/launcher/mod.ts` as a child on the runtime running the tests.
 */

import { spawn } from "node:child_process";
import process from "node:process";
import type { HostSignal } from "../../../src/runtime/cli.ts";

/** What the launcher child did. */
export interface LauncherRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const MOD = new URL("../../../src/launcher/mod.ts", import.meta.url).pathname;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** An environment without proxies or JAVA_HOME, so tests never leave 127.0.0.1. */
export function cleanEnv(
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    ...extra,
  };
}

/** The Deno permission flags the README gives for the launcher: the tests prove they suffice. */
export const DENO_LAUNCHER_FLAGS: readonly string[] = [
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-run",
];

/** Whether the tests run on Deno (and so start the launcher on Deno). */
export const onDeno: boolean = isDeno;

/** Runs the launcher with `args` in `cwd` (on Deno with `denoFlags`, by default the README's). */
export function runLauncher(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = cleanEnv(),
  denoFlags: readonly string[] = DENO_LAUNCHER_FLAGS,
): Promise<LauncherRun> {
  return startLauncher(args, cwd, env, denoFlags).done;
}

/** A started launcher: `onStdout`/`onStderr` see each chunk; `signal` sends it a signal. */
export interface StartedLauncher {
  readonly done: Promise<LauncherRun>;
  onStdout(listener: (chunk: string) => void): void;
  onStderr(listener: (chunk: string) => void): void;
  signal(name: HostSignal): void;
}

/** Starts the launcher with `args` in `cwd` without waiting for it. */
export function startLauncher(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = cleanEnv(),
  denoFlags: readonly string[] = DENO_LAUNCHER_FLAGS,
): StartedLauncher {
  const runtimeArgs = isDeno ? ["run", "--quiet", ...denoFlags, MOD, ...args] : [MOD, ...args];
  const child = spawn(process.execPath, runtimeArgs, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on(
    "data",
    (chunk: string) => (stdout += chunk),
  );
  child.stderr.setEncoding("utf8").on(
    "data",
    (chunk: string) => (stderr += chunk),
  );
  const done = new Promise<LauncherRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return {
    done,
    onStdout: (listener) => void child.stdout.on("data", listener),
    onStderr: (listener) => void child.stderr.on("data", listener),
    // Through `kill(1)`, not `child.kill()`: Deno's child_process then
    // reports the child as killed by that signal, whatever its exit code.
    signal: (name) =>
      void spawn("kill", ["-s", name.slice(3), String(child.pid)], {
        stdio: "ignore",
      }),
  };
}
