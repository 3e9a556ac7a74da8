/**
 * Tells when the writes made so far are done, for writes that complete in
 * order and mostly at once.
 *
 * @module
 */

/** Tracks the last write still under way. */
export class PendingWrites {
  #last: Promise<void> | undefined;

  /** Records `written` (nothing when the write completed at once) and returns it. */
  track(written: void | Promise<void>): void | Promise<void> {
    if (written === undefined) return;
    const tracked: Promise<void> = written.finally(() => {
      if (this.#last === tracked) this.#last = undefined;
    });
    this.#last = tracked;
    return tracked;
  }

  /** Settles once every write tracked so far is done (or failed). */
  done(): Promise<void> {
    return this.#last?.catch(() => {}) ?? Promise.resolve();
  }
}
