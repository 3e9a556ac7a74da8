/**
 * Splits the daemon's text into lines: on `\n` only (never on U+2028/U+2029,
 * which the daemon writes raw), stripping one trailing `\r`, in time linear in
 * the input even for lines of many megabytes.
 *
 * @module
 */

import { ProtocolError } from "./protocol_error.ts";

/**
 * Default cap on one line: a `processRecords` line can exceed 20 MB.
 *
 * @example Room for the largest batches
 * ```ts
 * import { DEFAULT_MAX_LINE_LENGTH } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * // 10,000 records of up to ~1 MB payload in total, base64-encoded, fit with room to spare.
 * assert.ok(DEFAULT_MAX_LINE_LENGTH > 20 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_LINE_LENGTH: number = 256 * 1024 * 1024;

/**
 * Options for {@linkcode LineSplitter} and {@linkcode LineStream}.
 *
 * @example Refuse lines longer than expected
 * ```ts
 * import { LineSplitter, type LineSplitterOptions, ProtocolError } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const options: LineSplitterOptions = { maxLineLength: 8 };
 * assert.throws(
 *   () => new LineSplitter(options).push("123456789\n"),
 *   (error) => error instanceof ProtocolError && error.kind === "line-too-long",
 * );
 * ```
 */
export interface LineSplitterOptions {
  /**
   * Longest line accepted, in UTF-16 code units, excluding the line break.
   * A longer line fails with a {@linkcode ProtocolError} of kind
   * `line-too-long` instead of exhausting memory.
   *
   * @default {256 MiB}
   */
  maxLineLength?: number;
}

/**
 * The pure line-splitting core: feed it chunks, get complete lines back.
 *
 * Fragments of an unfinished line are kept in an array and joined once when
 * its end arrives; only the new chunk is scanned. (Appending to one string
 * and re-scanning it is quadratic: seconds per 20 MB line.)
 *
 * @example Split chunks that cut lines anywhere
 * ```ts
 * import { LineSplitter } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const splitter = new LineSplitter();
 * assert.deepEqual(splitter.push('{"a":1}\r\n{"b"'), ['{"a":1}']);
 * assert.deepEqual(splitter.push(':2}\n'), ['{"b":2}']);
 * assert.deepEqual(splitter.end(), []);
 * ```
 */
export class LineSplitter {
  #fragments: string[] = [];
  #pendingLength = 0;
  readonly #maxLineLength: number;

  /**
   * Creates a splitter with no pending input.
   *
   * @param options the line length cap
   */
  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Adds a chunk; returns the lines it completed, without their line breaks. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf("\n");
    while (newline !== -1) {
      const tail = chunk.slice(start, newline);
      let line = tail;
      if (this.#fragments.length > 0) {
        this.#fragments.push(tail);
        line = this.#fragments.join("");
        this.#fragments = [];
        this.#pendingLength = 0;
      }
      lines.push(this.#complete(line));
      start = newline + 1;
      newline = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) {
      const rest = start === 0 ? chunk : chunk.slice(start);
      this.#pendingLength += rest.length;
      // One extra unit: a "\r" still to be stripped is not part of the line.
      if (this.#pendingLength > this.#maxLineLength + 1) this.#tooLong(rest);
      this.#fragments.push(rest);
    }
    return lines;
  }

  /** Ends the input; returns the final unterminated line, if any. */
  end(): string[] {
    if (this.#fragments.length === 0) return [];
    const line = this.#fragments.join("");
    this.#fragments = [];
    this.#pendingLength = 0;
    return [this.#complete(line)];
  }

  #complete(line: string): string {
    const stripped = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (stripped.length > this.#maxLineLength) this.#tooLong(stripped);
    return stripped;
  }

  #tooLong(excerpt: string): never {
    const start = this.#fragments[0] ?? excerpt;
    this.#fragments = [];
    this.#pendingLength = 0;
    throw new ProtocolError(
      "line-too-long",
      `Cannot read daemon message: a line exceeds the maximum length of ${this.#maxLineLength} characters`,
      start,
    );
  }
}

/**
 * A `TransformStream` from text to lines, for decoded stdin.
 *
 * @example Split a stream of text into lines
 * ```ts
 * import { LineStream } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const lines = ReadableStream.from(["one\r\ntw", "o\nthree"])
 *   .pipeThrough(new LineStream());
 * assert.deepEqual(await Array.fromAsync(lines), ["one", "two", "three"]);
 * ```
 */
export class LineStream extends TransformStream<string, string> {
  /**
   * Creates the stream.
   *
   * @param options the line length cap
   */
  constructor(options: LineSplitterOptions = {}) {
    const splitter = new LineSplitter(options);
    super({
      transform(chunk, controller) {
        for (const line of splitter.push(chunk)) controller.enqueue(line);
      },
      flush(controller) {
        for (const line of splitter.end()) controller.enqueue(line);
      },
    });
  }
}
