/**
 * Deno's stdin reads: the next read waits a few microtask turns for the
 * reply to the lines just delivered. A read started before the reply went
 * out makes Deno switch threads once more per action: W3 -7 to -19% and W2
 * -3 to -15% CPU on Deno; nothing on Bun, which does without it
 * (bench/README.md, "Speed measures of the runtime layer").
 *
 * @module
 */

/** Microtask turns to wait for the reply before reading on: never longer, so the end of the input is still seen. */
const REPLY_TURNS = 16;

/** Tracks whether the lines delivered last were answered, and waits a little for it. */
export class ReplyWait {
  #replied = false;

  /** Lines are about to be delivered to the session. */
  line(): void {
    this.#replied = false;
  }

  /** The session wrote a reply. */
  wrote(): void {
    this.#replied = true;
  }

  /** Resolves once the session replied, or after a few microtask turns; nothing to wait for when it replied already. */
  settle(): Promise<void> | undefined {
    return this.#replied ? undefined : this.#turns();
  }

  async #turns(): Promise<void> {
    for (let turn = 0; turn < REPLY_TURNS && !this.#replied; turn++) await undefined;
  }
}
