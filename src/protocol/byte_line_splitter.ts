/**
 * Splits the daemon's bytes into decoded lines: the same lines as decoding
 * the whole stream with one `TextDecoder` and splitting the text with
 * {@linkcode LineSplitter}, with less memory for big lines.
 *
 * Bytes are split before decoding (a `\n` byte never occurs inside a UTF-8
 * sequence), so each line is decoded once from its joined bytes. Decoding
 * first and joining text fragments holds every line twice as text on the
 * JavaScript heap; on Node that grew the heap by ~150 MB with 20 MB lines.
 *
 * @module
 */

import { DEFAULT_MAX_LINE_LENGTH, type LineSplitterOptions } from "./line_stream.ts";
import { ProtocolError } from "./protocol_error.ts";

/**
 * The byte-level splitting core of the session's read loop: feed it chunks,
 * get complete lines back (`\n`-terminated, one trailing `\r` stripped).
 *
 * @example Split chunks that cut lines and characters anywhere
 * ```ts
 * import { ByteLineSplitter } from "./byte_line_splitter.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode('{"a":"é"}\r\n{"b":2}\n');
 * const splitter = new ByteLineSplitter();
 * assert.deepEqual(splitter.push(bytes.subarray(0, 7)), []);
 * assert.deepEqual(splitter.push(bytes.subarray(7)), ['{"a":"é"}', '{"b":2}']);
 * assert.deepEqual(splitter.end(), []);
 * ```
 */
export class ByteLineSplitter {
  /**
   * The unfinished line's bytes, copied into one buffer reused for every
   * line: holding the chunks themselves kept many external buffers alive
   * until a garbage collection (Deno: +100 MB peak with 20 MB lines).
   */
  #buffer: Uint8Array = new Uint8Array(0);
  #pendingBytes = 0;
  /** UTF-16 length of the pending bytes; counted only once they might exceed the cap. */
  #pendingUnits = -1;
  #counter: TextDecoder | undefined;
  /** The stream's first line drops a leading BOM, like one streaming decoder would; later lines keep theirs. */
  #decoder: TextDecoder = new TextDecoder();
  readonly #rest = new TextDecoder("utf-8", { ignoreBOM: true });
  readonly #maxLineLength: number;

  /**
   * Creates a splitter with no pending input.
   *
   * @param options the line length cap, in UTF-16 code units
   */
  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Adds a chunk; returns the lines it completed, decoded, without their line breaks. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      lines.push(this.#complete(chunk.subarray(start, newline)));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.#keep(start === 0 ? chunk : chunk.subarray(start));
    return lines;
  }

  /** Ends the input; returns the final unterminated line, if any. */
  end(): string[] {
    return this.#pendingBytes === 0 ? [] : [this.#complete(new Uint8Array(0))];
  }

  #append(bytes: Uint8Array): void {
    const needed = this.#pendingBytes + bytes.length;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#buffer.length, 64 * 1024));
      grown.set(this.#buffer.subarray(0, this.#pendingBytes));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes, this.#pendingBytes);
    this.#pendingBytes = needed;
  }

  #keep(rest: Uint8Array): void {
    const before = this.#pendingBytes;
    this.#append(rest);
    // A UTF-16 line is never longer than its UTF-8 bytes: count units only past the cap.
    // (One extra unit: a "\r" still to be stripped is not part of the line.)
    if (this.#pendingBytes <= this.#maxLineLength + 1) return;
    this.#counter ??= new TextDecoder("utf-8", { ignoreBOM: true });
    if (this.#pendingUnits === -1) {
      this.#pendingUnits = this.#counter.decode(this.#buffer.subarray(0, before), { stream: true }).length +
        this.#counter.decode(rest, { stream: true }).length;
    } else {
      this.#pendingUnits += this.#counter.decode(rest, { stream: true }).length;
    }
    if (this.#pendingUnits > this.#maxLineLength + 1) this.#tooLong("");
  }

  #complete(tail: Uint8Array): string {
    let bytes = tail;
    if (this.#pendingBytes > 0) {
      this.#append(tail);
      bytes = this.#buffer.subarray(0, this.#pendingBytes);
      this.#reset();
    }
    const decoder = this.#decoder;
    this.#decoder = this.#rest;
    const line = decoder.decode(bytes);
    const stripped = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (stripped.length > this.#maxLineLength) this.#tooLong(stripped);
    return stripped;
  }

  #reset(): void {
    this.#pendingBytes = 0;
    this.#pendingUnits = -1;
    this.#counter = undefined;
  }

  #tooLong(excerpt: string): never {
    const start = this.#pendingBytes === 0
      ? excerpt
      : this.#decoder.decode(this.#buffer.subarray(0, Math.min(4096, this.#pendingBytes)));
    this.#reset();
    throw new ProtocolError(
      "line-too-long",
      `Cannot read daemon message: a line exceeds the maximum length of ${this.#maxLineLength} characters`,
      start,
    );
  }
}
