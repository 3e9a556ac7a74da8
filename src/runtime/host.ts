/**
 * The narrow interface between the runtime-neutral library and the runtime
 * it runs on. One adapter per runtime implements it (`deno_host.ts`,
 * `bun_host.ts`, `node_host.ts`); nothing outside `src/runtime/` may touch
 * `Deno`, `Bun` or `process`.
 *
 * @module
 */

import { createBunHost } from "./bun_host.ts";
import { createDenoHost } from "./deno_host.ts";

/** The runtimes this module runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/** The signals a child of the daemon receives from a terminal's Ctrl+C or a supervisor. */
export type HostSignal = "SIGINT" | "SIGTERM";

/** What the library needs from the runtime: stdio as Web Streams, and process control. */
export interface Host {
  /** Which runtime this is. */
  readonly runtime: RuntimeName;
  /** Path of the runtime executable (for spawning children on the same runtime). */
  readonly execPath: string;
  /** Command-line arguments after the script name. */
  readonly args: readonly string[];
  /** An environment variable, or `undefined` when unset or not permitted. */
  env(name: string): string | undefined;
  /** The whole environment (to extend for a child), or `undefined` when not permitted. */
  environment(): Record<string, string> | undefined;
  /** Standard input as bytes. */
  stdin(): ReadableStream<Uint8Array>;
  /**
   * The real standard output, with backpressure. Capture it before
   * {@linkcode Host.guardStdout} runs: the guard redirects every later writer.
   */
  stdout(): WritableStream<Uint8Array>;
  /** Writes to standard error synchronously where the runtime allows it. */
  writeStderr(text: string): void;
  /** Whether standard error is a terminal (for live progress lines). */
  stderrIsTerminal(): boolean;
  /** Sends user `console.*` output and direct stdout writes to stderr from now on. */
  guardStdout(): void;
  /** Calls `handler` on `signal` instead of the default (terminate). */
  onSignal(signal: HostSignal, handler: () => void): void;
  /** Ends the process now, whatever timers remain. */
  exit(code: number): never;
}

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
}

/** Which runtime is running this code, without touching Node-only globals. */
export function detectRuntime(): RuntimeName {
  const globals = globalThis as RuntimeGlobals;
  // Deno first: Deno 2 also defines `process`; Bun defines `process` too.
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  return "node";
}

let cached: Promise<Host> | undefined;

/**
 * The host adapter for the current runtime, created once.
 *
 * @example Read the runtime's name
 * ```ts ignore
 * import { getHost } from "./host.ts";
 * const host = await getHost();
 * host.writeStderr(`running on ${host.runtime}\n`);
 * ```
 */
export function getHost(): Promise<Host> {
  cached ??= createHost(detectRuntime());
  return cached;
}

async function createHost(runtime: RuntimeName): Promise<Host> {
  switch (runtime) {
    case "deno":
      return createDenoHost();
    case "bun":
      return createBunHost();
    case "node":
      // Dynamic: it imports `node:*` modules, which cost Deno ~20 ms to load.
      return (await import("./node_host.ts")).createNodeHost();
  }
}

/** `env` without its unset entries (Node types them `string | undefined`). */
export function definedValues(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  return result;
}
