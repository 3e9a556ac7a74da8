/**
 * Deno reports an error thrown by a timer's callback without the async
 * context it was scheduled in, so the shard host could not tell which
 * session's code threw it. On Deno, timers scheduled inside a session hand
 * such an error to that session instead. (Node and Bun keep the context for
 * an uncaught exception.)
 *
 * @module
 */

import { detectRuntime } from "./_detect_runtime.ts";

type TimerFunction = (handler: unknown, timeout?: number, ...args: unknown[]) => unknown;

/**
 * On Deno, wraps `setTimeout` and `setInterval` so that a callback
 * scheduled while `current()` names a failure handler passes what it throws
 * to that handler; elsewhere does nothing.
 */
export function catchTimerErrors(current: () => ((error: unknown) => void) | undefined): void {
  if (detectRuntime() !== "deno") return;
  const timers = globalThis as unknown as Record<"setTimeout" | "setInterval", TimerFunction>;
  for (const name of ["setTimeout", "setInterval"] as const) {
    const original = timers[name];
    timers[name] = (handler, timeout, ...args) => {
      const fail = current();
      if (fail === undefined || typeof handler !== "function") return original(handler, timeout, ...args);
      return original(
        (...values: unknown[]) => {
          try {
            (handler as (...values: unknown[]) => void)(...values);
          } catch (error) {
            fail(error);
          }
        },
        timeout,
        ...args,
      );
    };
  }
}
