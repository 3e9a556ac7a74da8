/**
 * The consumer's life: it runs until the shard's life ends (lease lost,
 * shard ended) or `close()` is called, and it remembers the first failure
 * that must end the session. Ending clears every timer and aborts the
 * flushes in progress, so that nothing outlives the shard: a child must exit
 * promptly on stdin EOF.
 *
 * @module
 */

import { TimerSet } from "./_timer_set.ts";

/** Running or closed, and the failure that waits for the next action. */
export class Lifecycle {
  /** Every timer of the shard (age, retry, checkpoint interval, stats): closing clears them all. */
  readonly timers: TimerSet = new TimerSet();
  readonly #abort = new AbortController();
  #closed = false;
  #failure: Error | undefined;

  /** Whether the life has not ended. */
  get running(): boolean {
    return !this.#closed;
  }

  /** Whether new flushes may start: running, and no failure waits to end the session. */
  get healthy(): boolean {
    return !this.#closed && this.#failure === undefined;
  }

  /** Aborted when the life ends: a flush in progress no longer matters. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Remembers `error` as the failure that ends the session, unless one is already remembered. */
  fail(error: unknown): void {
    this.#failure ??= error instanceof Error ? error : new Error(String(error));
  }

  /** Throws the remembered failure, or says that the consumer is closed. */
  throwIfUnusable(action: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new Error(`Cannot ${action}: the BatchConsumer is closed`);
  }

  /** Ends the life: clears the timers and aborts the signal. Returns `false` if it had ended already. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.timers.clear();
    this.#abort.abort(new Error("The BatchConsumer is closed"));
    return true;
  }
}
