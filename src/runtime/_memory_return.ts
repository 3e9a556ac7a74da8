/**
 * Gives big batches' memory back once they are over: the splitter's buffer
 * and what the runtime's collector would otherwise keep until the next big
 * batch, since memory, not CPU, limits how many shards a host takes.
 * Back-to-back big batches pay nothing: the memory is reused between them.
 *
 * @module
 */

/** A daemon line this long is a big batch. */
export const BIG_LINE = 4 * 1024 * 1024;

/** Watches a transport's lines and answered actions; calls `release` after the first small action that follows big ones. */
export class MemoryReturn {
  readonly #release: () => void;
  readonly #eager: boolean;
  #big = false;
  #answeredBig = false;

  /**
   * Creates the watcher.
   *
   * @param release lets go of what big batches left behind
   * @param eager release as soon as a big batch is answered (a shard host's sessions)
   */
  constructor(release: () => void, eager = false) {
    this.#release = release;
    this.#eager = eager;
  }

  /** A line from the daemon, of `length` characters (a caller may skip lines up to {@linkcode BIG_LINE}: a call less each). */
  line(length: number): void {
    if (length > BIG_LINE) this.#big = true;
  }

  /**
   * The session wrote the status that answers an action (`SessionTransport.actionAnswered`). A field, so that a
   * transport hands it on as it is.
   */
  readonly answered = (): void => {
    // The usual action: no big batch before it, nothing to do.
    if (this.#big || this.#answeredBig) this.#afterBig();
  };

  #afterBig(): void {
    if (this.#big && this.#eager) {
      this.#big = false;
      setTimeout(this.#release);
    } else if (this.#big) {
      this.#big = false;
      this.#answeredBig = true;
    } else if (this.#answeredBig) {
      this.#answeredBig = false;
      // After the reply is on its way, not before it.
      setTimeout(this.#release);
    }
  }
}
