/**
 * The one seam between a session and the daemon: read lines, write reply
 * lines, close. `streamTransport` builds it over any pair of Web Streams;
 * each runtime adapter builds a faster one over native stdio.
 *
 * @module
 */

/**
 * Receives the daemon's lines from a {@linkcode SessionTransport}.
 *
 * @example Count lines
 * ```ts
 * import { type LineListener, streamTransport } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const input = ReadableStream.from([new TextEncoder().encode('{"action":"leaseLost"}\n')]);
 * const transport = streamTransport(input, new WritableStream());
 * const count = await new Promise<number>((resolve, reject) => {
 *   let lines = 0;
 *   const listener: LineListener = {
 *     line: () => void lines++,
 *     end: (error) => error === undefined ? resolve(lines) : reject(error),
 *   };
 *   transport.read(listener);
 * });
 * assert.equal(count, 1);
 * ```
 */
export interface LineListener {
  /**
   * The longest line the listener accepts, in UTF-16 code units (the
   * session's `maxLineLength`). A transport that splits lines itself should
   * end with a `ProtocolError` of kind `line-too-long` as soon as a line
   * grows past it, so that it never holds more; the session checks every
   * line it gets anyway.
   */
  readonly maxLineLength?: number;
  /** One line from the daemon, without its line break (`\n`, or `\r\n`). */
  line(text: string): void;
  /**
   * The input ended (`error` undefined) or failed (say with a
   * `ProtocolError` of kind `line-too-long`). Called once; nothing follows.
   */
  end(error?: unknown): void;
}

/**
 * How a session reads the daemon's lines and writes its replies. Implement it
 * to run a session over anything; a transport serves one session.
 *
 * @example A transport over arrays
 * ```ts
 * import { KclProcess, type LineListener, type SessionTransport } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const written: string[] = [];
 * let daemon: LineListener | undefined;
 * const transport: SessionTransport = {
 *   read(listener) {
 *     daemon = listener;
 *     listener.line('{"action":"initialize","shardId":"shardId-0","sequenceNumber":null,"subSequenceNumber":null}');
 *     return () => {};
 *   },
 *   writeLine(line) {
 *     written.push(line);
 *     daemon?.end(); // this daemon closes the input once the action is answered
 *   },
 *   close: () => Promise.resolve(),
 * };
 * const result = await new KclProcess({ processRecords() {} }, { transport }).run();
 * assert.equal(result.exitCode, 0);
 * assert.deepEqual(written, ['{"action":"status","responseFor":"initialize"}\n']);
 * ```
 */
export interface SessionTransport {
  /**
   * Starts delivering the daemon's lines to `listener`, until the input
   * ends, fails or the returned function is called (after which nothing is
   * delivered). Called once. Lines may be delivered synchronously, from
   * inside this call.
   */
  read(listener: LineListener): () => void;
  /**
   * Writes one reply line (ending in `\n`) after every earlier one: the
   * session may write again before an earlier write finished, so the
   * transport keeps its writes in order. Returns nothing when the line was
   * written at once, or a promise of the write; throws or rejects when it
   * failed.
   */
  writeLine(line: string): void | Promise<void>;
  /**
   * The session calls it right after it wrote the status that answers an
   * action: the action is over, and the daemon sends the next one only after
   * it read that status. The runtime transports give big batches' memory
   * back then; a transport may leave it out.
   */
  actionAnswered?(): void;
  /**
   * Ends the output once every line written has been handed on. Resolves
   * when done; a transport over a process's stdout waits a bounded time.
   */
  close(): Promise<void>;
}
