/**
 * The one retry helper: exponential backoff with full jitter, counted in
 * attempts (the first try included). `retry()` serves `processRecords`
 * retries, batch flushes and the launcher's downloads; the checkpoint
 * channel, which retries from the daemon's replies, shares `backoffDelay`.
 *
 * @module
 */

/**
 * How often and how patiently to retry.
 *
 * @example Patient checkpoint retries
 * ```ts
 * import { KclProcess, type RetryOptions } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const checkpointRetry: RetryOptions = { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 };
 * const session = new KclProcess({ processRecords() {} }, {
 *   input: new ReadableStream({ start: (controller) => controller.close() }),
 *   output: new WritableStream(),
 *   checkpointRetry,
 * });
 * assert.equal((await session.run()).exitCode, 0);
 * ```
 */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. Each option that takes retries says its defaults. */
  readonly attempts?: number;
  /** Upper bound of the first delay, doubled each retry. */
  readonly baseDelayMs?: number;
  /** Cap on any one delay. */
  readonly maxDelayMs?: number;
}

/** Retry settings with every field present. */
export type ResolvedRetry = Required<RetryOptions>;

/** Fills in defaults, rejecting nonsense early with a clear message. */
export function resolveRetry(options: RetryOptions | undefined, defaults: ResolvedRetry): ResolvedRetry {
  const resolved = { ...defaults, ...options };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new RangeError(`Cannot configure retries: attempts must be an integer >= 1, got ${resolved.attempts}`);
  }
  if (!(resolved.baseDelayMs >= 0) || !(resolved.maxDelayMs >= 0)) {
    throw new RangeError("Cannot configure retries: delays must be >= 0");
  }
  return resolved;
}

/**
 * The delay after failed attempt number `attempt` (1-based): a uniformly
 * random time up to `min(maxDelayMs, baseDelayMs * 2^(attempt-1))` ("full
 * jitter"), so that children throttled together do not retry together.
 */
export function backoffDelay(attempt: number, options: ResolvedRetry, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What {@linkcode retry} asks of its caller besides the policy. */
export interface RetryHooks {
  /** Whether `error` is worth another attempt. @default {every error} */
  readonly retryable?: (error: unknown) => boolean;
  /** A delay the failure itself asks for (e.g. `Retry-After`); the wait is at least this, at most `maxDelayMs`. */
  readonly minDelayMs?: (error: unknown) => number | undefined;
  /** Called before each wait, e.g. to log the retry. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Source of jitter. @default {Math.random} */
  readonly random?: () => number;
  /** How to wait. @default {sleep} */
  readonly wait?: (ms: number) => Promise<void>;
}

/**
 * Calls `operation` (with the attempt number, from 1) until it succeeds, it
 * throws an error that is not retryable, or `policy.attempts` are used up;
 * then rethrows that last error unchanged. Between attempts it waits
 * {@linkcode backoffDelay}.
 */
export async function retry<T>(
  operation: (attempt: number) => T | Promise<T>,
  policy: ResolvedRetry,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || hooks.retryable?.(error) === false) throw error;
      const asked = hooks.minDelayMs?.(error) ?? 0;
      const delayMs = Math.min(policy.maxDelayMs, Math.max(asked, backoffDelay(attempt, policy, hooks.random)));
      hooks.onRetry?.(error, attempt, delayMs);
      await (hooks.wait ?? sleep)(delayMs);
    }
  }
}
