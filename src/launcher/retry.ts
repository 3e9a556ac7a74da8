/**
 * Retries with exponential backoff and jitter for transient download failures.
 *
 * @module
 */

/**
 * How often and how patiently to retry.
 *
 * @example Fail fast instead of retrying
 * ```ts
 * import { ensureJars, LauncherError, type RetryPolicy } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const noRetries: RetryPolicy = { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };
 * let requests = 0;
 * const unavailable = (): Promise<Response> => {
 *   requests++;
 *   return Promise.resolve(new Response(null, { status: 503 }));
 * };
 * await assert.rejects(
 *   ensureJars([{ groupId: "com.example", artifactId: "tool", version: "1.0.0" }], {
 *     cacheDir: join(tmpdir(), `kcl-cache-${crypto.randomUUID()}`),
 *     retry: noRetries,
 *     fetch: unavailable,
 *   }),
 *   (error) => error instanceof LauncherError && error.kind === "download" && /returned HTTP 503/.test(error.message),
 * );
 * assert.equal(requests, 1);
 * ```
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 4). */
  readonly retries: number;
  /** Delay before the first retry, doubled each time (default 500 ms). */
  readonly baseDelayMs: number;
  /** Upper bound of one delay (default 8000 ms). */
  readonly maxDelayMs: number;
}

/**
 * The default policy: 5 attempts over roughly 7.5 seconds.
 *
 * @example Shorten the first delay, as `--retry-delay` does
 * ```ts
 * import { DEFAULT_RETRY_POLICY, parseCliArgs, type RetryPolicy } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const { retryDelayMs } = parseCliArgs(["-p", "app.properties", "--retry-delay", "100"]);
 * const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: retryDelayMs };
 * assert.deepEqual(policy, { retries: 4, baseDelayMs: 100, maxDelayMs: 8000 });
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
};

/** A failure worth another attempt (network error, 429, 5xx). */
export class TransientError extends Error {
  /** Seconds the server asked us to wait (`Retry-After`), if any. */
  readonly retryAfterMs: number | undefined;

  /**
   * Creates a transient failure.
   *
   * @param message the cause, e.g. `returned HTTP 503`
   * @param retryAfterMs delay the server asked for
   */
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.name = "TransientError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Calls `attempt` until it succeeds, throws a non-transient error, or the
 * retries are used up; then rethrows the last {@linkcode TransientError}
 * with `attempts` set on it via `onGiveUp`.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  onGiveUp: (error: TransientError, attempts: number) => Error,
): Promise<T> {
  for (let retry = 0;; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      if (retry >= policy.retries) throw onGiveUp(error, retry + 1);
      const backoff = Math.min(
        policy.maxDelayMs,
        policy.baseDelayMs * 2 ** retry,
      );
      // Full jitter on half the delay: parallel downloads do not retry in lockstep.
      const delay = Math.max(
        error.retryAfterMs ?? 0,
        backoff / 2 + Math.random() * backoff / 2,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, policy.maxDelayMs)));
    }
  }
}
