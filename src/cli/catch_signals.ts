/**
 * SIGINT and SIGTERM for a CLI, caught from its very start: Bun makes a
 * handler effective only some time after it is added, so one added once the
 * work runs could miss a signal (a launcher killed that way orphans its
 * daemon). Until the CLI routes a signal, it ends the process as it would by
 * default.
 *
 * @module
 */

import type { CliProcess, HostSignal } from "../runtime/cli.ts";

/** The signals a CLI handles. */
export const CLI_SIGNALS: readonly HostSignal[] = ["SIGINT", "SIGTERM"];

/** Caught signals: route each to a handler once the work runs. */
export interface CaughtSignals {
  /** From now on, `signal` calls `handler`. */
  route(signal: HostSignal, handler: () => void): void;
  /** Removes the handlers (the work is over). */
  remove(): void;
}

/** The exit code of a process ended by `signal`: 128 + its number. */
export function signalExitCode(signal: HostSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}

/**
 * Catches SIGINT and SIGTERM; a signal not routed yet writes "Stopped by
 * SIGINT before `what` started" and exits with {@linkcode signalExitCode}.
 *
 * @example Route SIGTERM once the work runs
 * ```ts
 * import { catchSignals } from "./catch_signals.ts";
 * import type { CliProcess } from "../runtime/cli.ts";
 * import assert from "node:assert/strict";
 *
 * const handlers = new Map<string, () => void>();
 * const exits: number[] = [];
 * const io = {
 *   onSignal: (signal: string, handler: () => void) => (handlers.set(signal, handler), () => handlers.delete(signal)),
 *   writeStderr: () => {},
 *   exitNow: (code: number) => void exits.push(code),
 * } as unknown as CliProcess;
 * const signals = catchSignals(io, "the work");
 * handlers.get("SIGTERM")!();
 * assert.deepEqual(exits, [143]); // not routed yet: the default end
 * let stopped = false;
 * signals.route("SIGTERM", () => stopped = true);
 * handlers.get("SIGTERM")!();
 * assert.equal(stopped, true);
 * signals.remove();
 * assert.equal(handlers.size, 0);
 * ```
 */
export function catchSignals(io: CliProcess, what: string): CaughtSignals {
  const routes = new Map<HostSignal, () => void>();
  const removers = CLI_SIGNALS.map((signal) =>
    io.onSignal(signal, () => {
      const handler = routes.get(signal);
      if (handler !== undefined) return handler();
      io.writeStderr(`Stopped by ${signal} before ${what} started\n`);
      io.exitNow(signalExitCode(signal));
    })
  );
  return {
    route: (signal, handler) => void routes.set(signal, handler),
    remove: () => removers.forEach((remove) => remove()),
  };
}
