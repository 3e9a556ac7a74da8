/**
 * Exponential backoff with full jitter, shared by checkpoint and handler retries.
 *
 * @module
 */

/**
 * How often and how patiently to retry.
 *
 * @example Patient checkpoint retries
 * ```ts
 * import { KclProcess, type RetryOptions } from "@kcl/multilang";
 *
 * const checkpointRetry: RetryOptions = { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 };
 * const session = new KclProcess({ processRecords() {} }, {
 *   input: new ReadableStream({ start: (controller) => controller.close() }),
 *   output: new WritableStream(),
 *   checkpointRetry,
 * });
 * await session.run();
 * ```
 */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. */
  readonly attempts?: number;
  /** Upper bound of the first delay, doubled each retry. @default {100} */
  readonly baseDelayMs?: number;
  /** Cap on any one delay. @default {10000} */
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
 * The delay before retry number `retry` (0-based): a uniformly random time
 * up to `min(maxDelayMs, baseDelayMs * 2^retry)` ("full jitter"), so that
 * children throttled together do not retry together.
 */
export function backoffDelay(retry: number, options: ResolvedRetry, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.round(random() * ceiling);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
