/**
 * The process as the two command-line programs (the local daemon and the
 * launcher) use it: arguments, environment, stdio, signals, exit code. The
 * CLIs reach the process only through this, so that only `src/runtime/`
 * touches it. It uses `node:process`, which all three runtimes ship (its
 * start-up cost on Deno does not matter to a CLI, unlike to a shard's child).
 *
 * @module
 */

import process from "node:process";
import { detectRuntime } from "./_detect_runtime.ts";
import type { HostSignal, RuntimeName } from "./_host.ts";

/** What a command-line program needs from its process. */
export interface CliProcess {
  /** Which runtime runs the program. */
  readonly runtime: RuntimeName;
  /** The runtime's executable (to start children on the same runtime). */
  readonly execPath: string;
  /** The words after the script. */
  readonly args: readonly string[];
  /** An environment variable; on Deno without `--allow-env` this throws Deno's refusal. */
  env(name: string): string | undefined;
  /** The whole environment, to pass on to a child. */
  environment(): Record<string, string>;
  /** Whether stderr is a terminal (for live progress lines). */
  readonly stderrIsTerminal: boolean;
  /** Writes to stdout; resolves once written (or queued in order behind earlier writes), or once no one reads it. */
  writeStdout(text: string): Promise<void>;
  /** Writes to stderr, in order. */
  writeStderr(text: string): void;
  /** Calls `handler` on `signal` instead of the default; returns what removes it. */
  onSignal(signal: HostSignal, handler: () => void): () => void;
  /** The exit code the process ends with once nothing is left to do (output still queued reaches its pipe). */
  setExitCode(code: number): void;
  /** Ends the process at once (a second Ctrl+C): queued output may be lost. */
  exitNow(code: number): never;
}

/** The current process, for a command-line program. */
export function cliProcess(): CliProcess {
  // A reader that went away (`kcl-local --help | head -1`) fails the writes below, not the program.
  process.stdout.on("error", () => {});
  return {
    runtime: detectRuntime(),
    execPath: process.execPath,
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    environment() {
      const result: Record<string, string> = {};
      for (const [name, value] of Object.entries(process.env)) if (value !== undefined) result[name] = value;
      return result;
    },
    stderrIsTerminal: process.stderr.isTTY === true,
    writeStdout: (text) =>
      new Promise((resolve, reject) => {
        process.stdout.write(text, (error) => {
          // EPIPE: nobody reads stdout any more, so there is nothing left to tell it.
          if (error === null || error === undefined || (error as { code?: string }).code === "EPIPE") resolve();
          else reject(error);
        });
      }),
    writeStderr: (text) => void process.stderr.write(text),
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    setExitCode: (code) => void (process.exitCode = code),
    exitNow: (code) => process.exit(code),
  };
}
