/** The one retry helper: attempts counted from the first try, full jitter, a floor a failure may ask for. */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, resolveRetry, retry } from "../src/session/retry.ts";

const policy = resolveRetry({ attempts: 4, baseDelayMs: 100, maxDelayMs: 250 }, {
  attempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
});

describe("retry", () => {
  it("makes `attempts` attempts in all, waiting the backoff between them, then rethrows the last error", async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    const last = new Error("attempt 4");
    await assert.rejects(
      retry(
        (attempt) => {
          seen.push(attempt);
          throw attempt === 4 ? last : new Error(`attempt ${attempt}`);
        },
        policy,
        { random: () => 1, wait: (ms) => Promise.resolve(void waits.push(ms)) },
      ),
      (error) => error === last,
    );
    assert.deepEqual(seen, [1, 2, 3, 4]);
    // Full jitter at its ceiling: base * 2^(attempt-1), capped by maxDelayMs.
    assert.deepEqual(waits, [100, 200, 250]);
  });

  it("returns the first success", async () => {
    let calls = 0;
    const value = await retry(() => ++calls < 3 ? Promise.reject(new Error("no")) : "yes", policy, {
      wait: () => Promise.resolve(),
    });
    assert.equal(value, "yes");
    assert.equal(calls, 3);
  });

  it("stops at once on an error that is not retryable", async () => {
    let calls = 0;
    await assert.rejects(
      retry(
        () => {
          calls++;
          throw new TypeError("a bug");
        },
        policy,
        { retryable: (error) => !(error instanceof TypeError), wait: () => Promise.resolve() },
      ),
      TypeError,
    );
    assert.equal(calls, 1);
  });

  it("waits at least what the failure asks for (Retry-After), never more than maxDelayMs", async () => {
    const waits: number[] = [];
    const retried: [number, number][] = [];
    await assert.rejects(retry(() => Promise.reject(new Error("429")), policy, {
      random: () => 0,
      minDelayMs: () => 180,
      onRetry: (_error, attempt, delayMs) => void retried.push([attempt, delayMs]),
      wait: (ms) => Promise.resolve(void waits.push(ms)),
    }));
    assert.deepEqual(waits, [180, 180, 180]);
    assert.deepEqual(retried, [[1, 180], [2, 180], [3, 180]]);
    const capped: number[] = [];
    await assert.rejects(retry(() => Promise.reject(new Error("429")), policy, {
      minDelayMs: () => 60_000,
      wait: (ms) => Promise.resolve(void capped.push(ms)),
    }));
    assert.deepEqual(capped, [250, 250, 250]);
  });

  it("draws each delay uniformly below its ceiling (full jitter)", () => {
    assert.equal(backoffDelay(1, policy, () => 0), 0);
    assert.equal(backoffDelay(2, policy, () => 0.5), 100);
    assert.equal(backoffDelay(9, policy, () => 0.999), 250);
  });

  it("refuses nonsense policies with a clear message", () => {
    const defaults = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    assert.throws(() => resolveRetry({ attempts: 0 }, defaults), /attempts must be an integer >= 1, got 0/);
    assert.throws(() => resolveRetry({ baseDelayMs: -1 }, defaults), /delays must be >= 0/);
  });
});
