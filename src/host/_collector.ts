/**
 * One full collection for many sessions: each session asks for one after
 * its big batches; the host runs at most one per interval (a full
 * collection stops every session for its duration, so it must not run once
 * per shard).
 *
 * @module
 */

/** Coalesces requests for a full collection into at most one per `intervalMs`. */
export class CoalescedCollector {
  readonly #collect: () => void;
  readonly #intervalMs: number;
  #last = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Creates the collector.
   *
   * @param collect runs one full collection
   * @param intervalMs the least time between two collections
   */
  constructor(collect: () => void, intervalMs: number) {
    this.#collect = collect;
    this.#intervalMs = intervalMs;
  }

  /** Asks for a collection: soon, unless one ran less than the interval ago (then at its end), once for all askers. */
  request(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#last + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#last = performance.now();
      this.#collect();
    }, wait);
  }

  /** Cancels a pending collection (the host is closing). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
