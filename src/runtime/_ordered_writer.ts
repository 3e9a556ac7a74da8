/**
 * An ordered, non-blocking text writer over an asynchronous byte write
 * (Deno's stderr): text written while a write is under way is joined into
 * the next one.
 *
 * @module
 */

/** Writes text in order without blocking; {@linkcode OrderedWriter.flushed} tells when it is all out. */
export class OrderedWriter {
  readonly #write: (bytes: Uint8Array) => Promise<number>;
  readonly #encoder = new TextEncoder();
  #queued: string[] = [];
  #pumping: Promise<void> | undefined;
  #running = false;

  /**
   * Creates the writer.
   *
   * @param write writes some of `bytes`, resolving with how many were written
   */
  constructor(write: (bytes: Uint8Array) => Promise<number>) {
    this.#write = write;
  }

  /** Queues `text` after everything written before. */
  write(text: string): void {
    this.#queued.push(text);
    if (this.#running) return;
    this.#running = true;
    this.#pumping = this.#pump();
  }

  /** Resolves once everything queued so far was written (or a write failed). */
  flushed(): Promise<void> {
    return this.#running ? this.#pumping! : Promise.resolve();
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queued.length > 0) {
        const bytes = this.#encoder.encode(this.#queued.join(""));
        this.#queued = [];
        let offset = 0;
        while (offset < bytes.length) offset += await this.#write(bytes.subarray(offset));
      }
    } catch {
      // Nowhere left to report a broken stderr: drop what is queued.
      this.#queued = [];
    }
    // In the same turn as the last check of the queue: a later write starts a new pump.
    this.#running = false;
  }
}
