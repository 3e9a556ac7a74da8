/**
 * The input side of the runtime transports, in one place: stdin's chunks
 * split into lines for the session, within the session's line cap, and big
 * batches' memory given back once they are answered.
 *
 * @module
 */

import { LineSplitter, releaseLineBuffer, wholeLine } from "../protocol/line_splitter.ts";
import type { LineListener } from "../session/transport.ts";
import type { StdioOptions } from "./_host.ts";
import { BIG_LINE, type MemoryReturn } from "./_memory_return.ts";

/**
 * Feeds a session's {@linkcode LineListener}: the splitter takes the cap the
 * listener asks for (`maxLineLength`), and after the first small action that
 * follows big ones the splitter's buffer is released and `collectGarbage`
 * runs. Ends the listener once, with the input's end or the first error.
 */
export class LineFeed {
  readonly #listener: LineListener;
  readonly #splitter: LineSplitter;
  readonly #memory: MemoryReturn;
  readonly #collectGarbage: (() => void) | undefined;
  /**
   * Whether the listener was ended, or reading was stopped: nothing more is delivered. (A field, not a getter: the
   * read loops test it after every read. Only the feed sets it.)
   */
  done = false;

  /**
   * Creates the feed for one `read()`.
   *
   * @param listener the session's listener
   * @param options `collectGarbage` runs a full collection, where the runtime lets a program ask;
   *   `keepChunks` where stdin hands over a fresh buffer per read
   * @param memory the transport's memory watcher (made with the transport, so that its `answered` is the transport's
   *   `actionAnswered` itself: no call of ours between the session and it), told of big lines; its `release` calls
   *   this feed's {@linkcode LineFeed.release}
   */
  constructor(listener: LineListener, options: StdioOptions, memory: MemoryReturn) {
    this.#listener = listener;
    const { maxLineLength } = listener;
    const { collectGarbage, keepChunks = false } = options;
    this.#splitter = new LineSplitter(maxLineLength === undefined ? { keepChunks } : { maxLineLength, keepChunks });
    this.#memory = memory;
    this.#collectGarbage = collectGarbage;
  }

  /** Lets go of what big lines left behind: the splitter's buffer, then a full collection where the runtime allows. */
  release(): void {
    releaseLineBuffer(this.#splitter);
    this.#collectGarbage?.();
  }

  /**
   * Delivers the lines `chunk` completes; returns how many. A line over the
   * cap ends the listener with the error. `chunk` may be reused once this returns, unless `keepChunks`.
   */
  push(chunk: Uint8Array): number {
    if (this.done) return 0;
    // The usual chunk, one whole line: no array, no loop (a small action's two chunks take this way).
    const whole = wholeLine(this.#splitter, chunk);
    if (whole !== undefined) {
      if (whole.length > BIG_LINE) this.#memory.line(whole.length);
      this.#listener.line(whole);
      return 1;
    }
    let lines: string[];
    try {
      lines = this.#splitter.push(chunk);
    } catch (error) {
      this.finish(error);
      return 0;
    }
    // Indexed: a `for…of` costs an iterator per chunk in the runtimes' lower tiers, where small actions run.
    const count = lines.length;
    for (let i = 0; i < count && !this.done; i++) {
      const line = lines[i]!;
      if (line.length > BIG_LINE) this.#memory.line(line.length);
      this.#listener.line(line);
    }
    return count;
  }

  /**
   * Feeds `reader`'s chunks until the input ends, fails, or reading stopped (Bun's read loop): a whole line, every
   * small action's chunk, goes to the listener from here, with no call of the feed's between the read and it.
   */
  async readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const splitter = this.#splitter;
    try {
      for (;;) {
        const next = await reader.read();
        if (this.done) return;
        if (next.done) return this.end();
        const whole = wholeLine(splitter, next.value);
        if (whole === undefined) {
          this.push(next.value);
          continue;
        }
        if (whole.length > BIG_LINE) this.#memory.line(whole.length);
        this.#listener.line(whole);
      }
    } catch (error) {
      this.finish(error);
    }
  }

  /** The input ended: delivers its last, unterminated line, then ends the listener. */
  end(): void {
    if (this.done) return;
    let lines: string[];
    try {
      lines = this.#splitter.end();
    } catch (error) {
      return this.finish(error);
    }
    for (const line of lines) {
      if (this.done) return;
      this.#listener.line(line);
    }
    this.finish();
  }

  /** Ends the listener, with `error` if the input failed, unless it ended already. */
  finish(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.#listener.end(error);
  }

  /** Reading stopped (the session's call): nothing more is delivered, the listener is not ended. */
  stop(): void {
    this.done = true;
  }
}
