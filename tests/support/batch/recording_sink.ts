/**
 * A sink for BatchConsumer tests: records every flush attempt, can fail
 * attempts on demand, can hold flushes at a gate, and lets a test wait for
 * a condition that flush events make true (no sleeps).
 */

import type { FlushContext } from "../../../src/batch/mod.ts";

/** One flush attempt. */
export interface FlushCall<T> {
  readonly items: T[];
  readonly context: FlushContext;
  outcome: "pending" | "ok" | "failed";
}

/** Decides whether an attempt fails: return an error to throw, or undefined. */
export type FailurePlan<T> = (call: FlushCall<T>) => Error | undefined;

export class RecordingSink<T> {
  /** Every attempt, in call order. */
  readonly calls: FlushCall<T>[] = [];
  /** Attempts that succeeded, in completion order. */
  readonly flushed: FlushCall<T>[] = [];
  /** Highest number of flush calls in progress at once. */
  maxConcurrent = 0;
  #inProgress = 0;
  #fail: FailurePlan<T> = () => undefined;
  #gated = false;
  #gateWaiters: { call: FlushCall<unknown>; wake: () => void }[] = [];
  #watchers: (() => void)[] = [];

  /** The function to pass as `flush`. */
  readonly flush = async (items: T[], context: FlushContext): Promise<void> => {
    const call: FlushCall<T> = { items: [...items], context, outcome: "pending" };
    this.calls.push(call);
    this.#inProgress++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.#inProgress);
    this.#notify();
    try {
      if (this.#gated) {
        await new Promise<void>((wake) => this.#gateWaiters.push({ call: call as FlushCall<unknown>, wake }));
      }
      const error = this.#fail(call);
      if (error !== undefined) {
        call.outcome = "failed";
        throw error;
      }
      call.outcome = "ok";
      this.flushed.push(call);
    } finally {
      this.#inProgress--;
      this.#notify();
    }
  };

  /** Attempts in progress. */
  get inProgress(): number {
    return this.#inProgress;
  }

  /** Items of successful flushes, in completion order. */
  get items(): T[] {
    return this.flushed.flatMap((call) => call.items);
  }

  /** Sets which attempts fail. */
  failWhen(plan: FailurePlan<T>): void {
    this.#fail = plan;
  }

  /** Holds every flush (new and waiting) until `open()`. */
  close(): void {
    this.#gated = true;
  }

  /** Lets every held flush go and stops holding new ones. */
  open(): void {
    this.#gated = false;
    const waiters = this.#gateWaiters;
    this.#gateWaiters = [];
    for (const { wake } of waiters) wake();
  }

  /** Lets the oldest held flush matching `which` go (the gate stays closed); returns whether one was held. */
  release(which: (call: FlushCall<T>) => boolean = () => true): boolean {
    const index = this.#gateWaiters.findIndex(({ call }) => which(call as FlushCall<T>));
    if (index === -1) return false;
    const [waiter] = this.#gateWaiters.splice(index, 1);
    waiter!.wake();
    return true;
  }

  /** Flushes waiting at the gate. */
  get held(): number {
    return this.#gateWaiters.length;
  }

  /** Resolves once `condition()` holds, re-checked after every flush event. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.#watchers.push(resolve));
  }

  #notify(): void {
    const watchers = this.#watchers;
    this.#watchers = [];
    for (const wake of watchers) wake();
  }
}
