/**
 * The shard's timers, kept together so that every one of them can be cleared
 * when the shard's life ends: a child must exit promptly on stdin EOF, and a
 * test runner fails tests that leak timers.
 *
 * @module
 */

/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  /** Cancels the callback if it has not run yet. */
  cancel(): void;
}

/** A set of `setTimeout` timers that can all be cleared at once. */
export class TimerSet {
  readonly #live = new Map<object, { handle: ReturnType<typeof setTimeout>; onClear: () => void }>();

  /** Runs `callback` after `ms` milliseconds, unless cancelled or cleared first. */
  after(ms: number, callback: () => void): TimerHandle {
    const token = {};
    const handle = setTimeout(() => {
      this.#live.delete(token);
      callback();
    }, ms);
    this.#live.set(token, { handle, onClear: () => {} });
    return { cancel: () => this.#cancel(token) };
  }

  /** Resolves `true` after `ms` milliseconds, or `false` as soon as the set is cleared. */
  sleep(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const token = {};
      const handle = setTimeout(() => {
        this.#live.delete(token);
        resolve(true);
      }, ms);
      this.#live.set(token, { handle, onClear: () => resolve(false) });
    });
  }

  /** Cancels every pending timer; pending sleeps resolve `false`. */
  clear(): void {
    const live = [...this.#live.values()];
    this.#live.clear();
    for (const { handle, onClear } of live) {
      clearTimeout(handle);
      onClear();
    }
  }

  #cancel(token: object): void {
    const entry = this.#live.get(token);
    if (entry === undefined) return;
    this.#live.delete(token);
    clearTimeout(entry.handle);
  }
}
