/**
 * The child's stdout as the fake daemon reads it: lines are pumped as they
 * arrive (so each one is recorded, and judged, at the moment it is written)
 * and queued until the action in flight reads them.
 *
 * @module
 */

/** What {@linkcode ChildOutput.next} found. */
export type NextLine = string | { readonly ended: "timeout" | "closed" };

/** Queues the child's lines for the action that reads them. */
export class ChildOutput {
  /** Resolves once the child's stdout closed (or broke). */
  readonly closed: Promise<void>;
  readonly #queue: string[] = [];
  #isClosed = false;
  #wake: (() => void) | undefined;

  /**
   * Starts reading `lines`; each one goes to `arrive` first, which returns
   * whether it is queued for an action.
   */
  constructor(lines: AsyncIterable<string>, arrive: (line: string) => boolean) {
    this.closed = this.#pump(lines, arrive);
  }

  /** Lines read but not yet taken by an action. */
  get unread(): readonly string[] {
    return this.#queue;
  }

  /** The next line; or why there is none: stdout closed, or no line for `timeoutMs`. */
  async next(timeoutMs: number): Promise<NextLine> {
    for (;;) {
      const line = this.#queue.shift();
      if (line !== undefined) return line;
      if (this.#isClosed) return { ended: "closed" };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const woke = await new Promise<boolean>((resolve) => {
        this.#wake = () => resolve(true);
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
      if (!woke) return { ended: "timeout" };
    }
  }

  async #pump(lines: AsyncIterable<string>, arrive: (line: string) => boolean): Promise<void> {
    try {
      for await (const line of lines) {
        if (!arrive(line)) continue;
        this.#queue.push(line);
        this.#wake?.();
      }
    } catch {
      // A broken stdout is reported as the child's exit by the action waiting for it.
    }
    this.#isClosed = true;
    this.#wake?.();
  }
}
