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
import { BIG_LINE, MemoryReturn } from "./_memory_return.ts";

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
  /**
   * Whether the listener was ended, or reading was stopped: nothing more is delivered. (A field, not a getter: the
   * read loops test it after every read. Only the feed sets it.)
   */
  done = false;
  /** The session answered an action (`SessionTransport.actionAnswered`): the memory watcher's own function. */
  readonly answered: () => void;

  /**
   * Creates the feed for one `read()`.
   *
   * @param listener the session's listener
   * @param options `collectGarbage` runs a full collection, where the runtime lets a program ask;
   *   `keepChunks` where stdin hands over a fresh buffer per read; `releaseAfterBig` for a shard host's sessions
   */
  constructor(listener: LineListener, options: StdioOptions = {}) {
    this.#listener = listener;
    const { maxLineLength } = listener;
    const { collectGarbage, keepChunks = false, releaseAfterBig = false } = options;
    const splitter = new LineSplitter(maxLineLength === undefined ? { keepChunks } : { maxLineLength, keepChunks });
    this.#splitter = splitter;
    this.#memory = new MemoryReturn(() => {
      releaseLineBuffer(splitter);
      collectGarbage?.();
    }, releaseAfterBig);
    this.answered = this.#memory.answered;
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
