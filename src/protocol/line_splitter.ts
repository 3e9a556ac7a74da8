/**
 * The one line-splitting core: feed it chunks of text or of UTF-8 bytes, get
 * complete lines back. Lines end at `\n` only (never at U+2028/U+2029, which
 * the daemon writes raw); one trailing `\r` is stripped; a line over the cap
 * fails with a {@linkcode ProtocolError} instead of exhausting memory; time
 * stays linear in the input for lines of many megabytes.
 *
 * @module
 */

import { ProtocolError } from "./protocol_error.ts";

let releaseOf: (splitter: LineSplitter) => void;

/**
 * Lets go of the buffer `splitter` keeps for the unfinished line between big
 * lines (bytes only): the runtime's transports call it when big lines are
 * over for a while, to give their memory back. A line under way is kept.
 * Internal: the package's `./protocol` entry does not export it.
 *
 * @example Big lines over, the buffer goes; a line under way stays
 * ```ts
 * import { LineSplitter, releaseLineBuffer } from "./line_splitter.ts";
 * import assert from "node:assert/strict";
 *
 * const splitter = new LineSplitter();
 * assert.deepEqual(splitter.push(new TextEncoder().encode("half ")), []);
 * releaseLineBuffer(splitter);
 * assert.deepEqual(splitter.push(new TextEncoder().encode("a line\n")), ["half a line"]);
 * ```
 */
export function releaseLineBuffer(splitter: LineSplitter): void {
  releaseOf(splitter);
}

/**
 * The line `chunk` holds when it is exactly one whole line (bytes ending in
 * its only `\n`, no `\r` before it, within the cap) and nothing is pending
 * (after the first line): decoded, as `push` would return it; else
 * `undefined`, and nothing changed (give the chunk to `push`). The daemon
 * writes one line per write, so this is every small action's chunk: the
 * runtime's transports take it without `push`'s array and loop.
 * Internal: the package's `./protocol` entry does not export it. (A function
 * the class sets, not a wrapper of one: no call more per small action.)
 *
 * @example A whole line, else `push`
 * ```ts
 * import { LineSplitter, wholeLine } from "./line_splitter.ts";
 * import assert from "node:assert/strict";
 *
 * const splitter = new LineSplitter();
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * assert.equal(wholeLine(splitter, bytes("first\n")), undefined); // the first line: its BOM is push's
 * assert.deepEqual(splitter.push(bytes("first\n")), ["first"]);
 * assert.equal(wholeLine(splitter, bytes("second\n")), "second");
 * assert.equal(wholeLine(splitter, bytes("a\nb\n")), undefined);
 * ```
 */
export let wholeLine: (splitter: LineSplitter, chunk: Uint8Array) => string | undefined;

/**
 * Default cap on one line: a `processRecords` line can exceed 20 MB.
 *
 * @example Room for the largest batches
 * ```ts
 * import { DEFAULT_MAX_LINE_LENGTH } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * // A batch of 10,000 records and 10 MB of data is about 14 MB as base64 in JSON: room to spare.
 * assert.ok(DEFAULT_MAX_LINE_LENGTH > 20 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_LINE_LENGTH: number = 256 * 1024 * 1024;

const EMPTY = new Uint8Array(0);
/** The reused buffer's least size: room for the usual small lines split across reads. */
const MIN_BUFFER = 64 * 1024;

/**
 * Options of {@linkcode LineSplitter} and `LineStream`.
 *
 * @example Refuse lines longer than expected
 * ```ts
 * import { LineSplitter, type LineSplitterOptions, ProtocolError } from "@kcl/multilang/protocol";
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
   * `line-too-long`.
   *
   * @default {256 MiB}
   */
  readonly maxLineLength?: number;
  /**
   * Whether the source never reuses a byte chunk's memory after handing it
   * over (Node's and Bun's stdin give a fresh buffer per read): the splitter
   * then keeps an unfinished line's chunks as they are instead of copying
   * them. Leave it off when chunks may be overwritten later (a byte stream
   * read into one reused buffer).
   *
   * @default {false}
   */
  readonly keepChunks?: boolean;
}

/**
 * Splits a stream of chunks into lines. Text chunks (say from a
 * `TextDecoderStream`) and UTF-8 byte chunks are both accepted, one kind per
 * splitter.
 *
 * Text fragments of an unfinished line are kept in an array and joined once
 * when its end arrives (appending to one string and re-scanning it is
 * quadratic). Bytes are split before decoding — a `\n` byte never occurs
 * inside a UTF-8 sequence — so each line is decoded once and big lines are
 * not held twice as text. An unfinished line's bytes go into one buffer
 * reused for every line while they fit; a line that outgrows it is kept as
 * its chunks (copies, unless `keepChunks`), joined once at its end into the
 * buffer the next lines reuse (growing one buffer by doubling copied and
 * first-touched about twice the line's bytes).
 * Decoding matches one streaming `TextDecoder` over the whole input: the
 * first line drops a leading BOM, later lines keep theirs.
 *
 * @example Split text and bytes cut anywhere
 * ```ts
 * import { LineSplitter } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const text = new LineSplitter();
 * assert.deepEqual(text.push('{"a":1}\r\n{"b"'), ['{"a":1}']);
 * assert.deepEqual(text.push(":2}\n"), ['{"b":2}']);
 * assert.deepEqual(text.end(), []);
 *
 * const bytes = new TextEncoder().encode('{"a":"é"}\r\n{"b":2}');
 * const binary = new LineSplitter();
 * assert.deepEqual(binary.push(bytes.subarray(0, 7)), []); // cuts "é" in two
 * assert.deepEqual(binary.push(bytes.subarray(7)), ['{"a":"é"}']);
 * assert.deepEqual(binary.end(), ['{"b":2}']);
 * ```
 */
export class LineSplitter {
  static {
    releaseOf = (splitter) => splitter.#release();
    wholeLine = (splitter, chunk) => {
      const last = chunk.length - 1;
      const decoder = splitter.#decoder;
      // Bytes never count fewer UTF-16 units than bytes: within the cap when the bytes are.
      if (
        decoder === undefined || splitter.#pendingBytes !== 0 || last < 1 || chunk[last] !== 10 ||
        chunk[last - 1] === 13 || last > splitter.#maxLineLength || chunk.indexOf(10) !== last
      ) return undefined;
      return decoder.decode(chunk.subarray(0, last));
    };
  }

  readonly #maxLineLength: number;
  readonly #keepChunks: boolean;
  #kind: "text" | "bytes" | undefined;
  // Text: the unfinished line's fragments and their length.
  #fragments: string[] = [];
  #pendingLength = 0;
  // Bytes: the unfinished line's bytes in one reused buffer while they fit,
  // else as copies of its chunks (the chunk itself may be reused by its source).
  #buffer: Uint8Array = new Uint8Array(0);
  #parts: Uint8Array[] = [];
  #pendingBytes = 0;
  /** UTF-16 length of the pending bytes; counted only once they might exceed the cap. */
  #pendingUnits = -1;
  #counter: TextDecoder | undefined;
  #decoder: TextDecoder | undefined;

  /**
   * Creates a splitter with no pending input.
   *
   * @param options the line length cap
   */
  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.#keepChunks = options.keepChunks === true;
  }

  /**
   * Adds a chunk; returns the lines it completed, without their line breaks.
   * A byte chunk may be reused by its source once this returns (unless
   * `keepChunks` said it never is).
   */
  push(chunk: string | Uint8Array): string[] {
    if (typeof chunk === "string") return this.#pushText(chunk);
    // Bytes, in this one function: a small action's lines take no other call of the splitter's (runtimes compile
    // per function, and most small actions run while they still do: bench/README.md, "Third pass").
    if (this.#kind !== "bytes") this.#use("bytes");
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const decoder = this.#decoder;
      // The usual line, whole in this chunk: decoded at once; else joined with what is pending (or the first line).
      let line = this.#pendingBytes === 0 && decoder !== undefined
        ? decoder.decode(chunk.subarray(start, newline))
        : this.#decodeLine(chunk.subarray(start, newline));
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.length > this.#maxLineLength) this.#tooLong(line);
      lines.push(line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.#keepBytes(start === 0 ? chunk : chunk.subarray(start));
    return lines;
  }

  #release(): void {
    if (this.#pendingBytes === 0) this.#buffer = EMPTY;
  }

  /** Ends the input; returns the final unterminated line, if any. */
  end(): string[] {
    if (this.#kind === "bytes") return this.#pendingBytes === 0 ? [] : [this.#complete(this.#decodeLine(EMPTY))];
    if (this.#fragments.length === 0) return [];
    const line = this.#fragments.join("");
    this.#fragments = [];
    this.#pendingLength = 0;
    return [this.#complete(line)];
  }

  #use(kind: "text" | "bytes"): void {
    if (this.#kind === kind) return;
    if (this.#kind !== undefined) {
      throw new TypeError(`Cannot split lines: a ${this.#kind} stream got a chunk of ${kind}; use one kind per stream`);
    }
    this.#kind = kind;
  }

  #pushText(chunk: string): string[] {
    this.#use("text");
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf("\n");
    while (newline !== -1) {
      let line = chunk.slice(start, newline);
      if (this.#fragments.length > 0) {
        this.#fragments.push(line);
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
      this.#fragments.push(rest);
      this.#checkPending(this.#pendingLength);
    }
    return lines;
  }

  #keepBytes(rest: Uint8Array): void {
    const before = this.#pendingBytes;
    const needed = before + rest.length;
    if (this.#parts.length === 0 && needed <= this.#buffer.length) this.#buffer.set(rest, before);
    else {
      if (this.#parts.length === 0 && before > 0) this.#parts.push(this.#buffer.subarray(0, before));
      this.#parts.push(this.#keepChunks ? rest : rest.slice());
    }
    this.#pendingBytes = needed;
    // A UTF-16 line is never longer than its UTF-8 bytes: count units only past the cap.
    if (this.#pendingBytes <= this.#maxLineLength + 1) return;
    if (this.#counter === undefined) {
      this.#counter = new TextDecoder("utf-8", { ignoreBOM: true });
      this.#pendingUnits = 0;
      const earlier = this.#parts.length > 0 ? this.#parts.slice(0, -1) : [this.#buffer.subarray(0, before)];
      for (const part of earlier) {
        this.#pendingUnits += this.#counter.decode(part, { stream: true }).length;
      }
    }
    this.#pendingUnits += this.#counter.decode(rest, { stream: true }).length;
    this.#checkPending(this.#pendingUnits);
  }

  /** The unfinished line's bytes, in order (the last part holds the latest chunk). */
  #pendingParts(): Uint8Array[] {
    return this.#parts.length > 0 ? this.#parts : [this.#buffer.subarray(0, this.#pendingBytes)];
  }

  /** The line that `tail` ends, decoded: with the bytes pending before it, or the first line. */
  #decodeLine(tail: Uint8Array): string {
    let bytes = tail;
    if (this.#pendingBytes > 0) bytes = this.#joinPending(tail);
    // The first line drops a leading BOM, like one streaming decoder would.
    let decoder = this.#decoder;
    if (decoder === undefined) {
      decoder = new TextDecoder();
      this.#decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    }
    return decoder.decode(bytes);
  }

  /** The unfinished line's bytes with `tail`, in one view (rare for small lines: apart from the usual path). */
  #joinPending(tail: Uint8Array): Uint8Array {
    this.#keepBytes(tail);
    const adjacent = adjacentParts(this.#parts);
    if (adjacent !== undefined) {
      // Parts that lie side by side in one buffer (Node's big reads, `_node_stdin.ts`): a view, no copy. The buffer
      // that later lines reuse stays as it was: this memory is the reader's.
      this.#resetBytes();
      return adjacent;
    }
    if (this.#parts.length > 0) {
      // Joined once, into the buffer that later lines reuse (with room for a slightly longer one).
      const joined = new Uint8Array(Math.max(this.#pendingBytes + (this.#pendingBytes >> 4), MIN_BUFFER));
      let offset = 0;
      for (const part of this.#parts) {
        joined.set(part, offset);
        offset += part.length;
      }
      this.#buffer = joined;
      this.#parts = [];
    }
    const bytes = this.#buffer.subarray(0, this.#pendingBytes);
    this.#resetBytes();
    return bytes;
  }

  #resetBytes(): void {
    this.#parts = [];
    this.#pendingBytes = 0;
    this.#pendingUnits = -1;
    this.#counter = undefined;
  }

  /** Fails once the unfinished line cannot fit (one extra unit: a "\r" still to be stripped). */
  #checkPending(units: number): void {
    if (units > this.#maxLineLength + 1) this.#tooLong(this.#pendingExcerpt());
  }

  #complete(line: string): string {
    const stripped = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (stripped.length > this.#maxLineLength) this.#tooLong(stripped);
    return stripped;
  }

  #pendingExcerpt(): string {
    if (this.#kind === "text") return this.#fragments[0] ?? "";
    const first = this.#pendingParts()[0] ?? EMPTY;
    return new TextDecoder().decode(first.subarray(0, Math.min(4096, first.length)));
  }

  #tooLong(excerpt: string): never {
    this.#fragments = [];
    this.#pendingLength = 0;
    this.#resetBytes();
    throw lineTooLong(this.#maxLineLength, excerpt);
  }
}

/**
 * The error for a line longer than `maxLineLength`, `excerpt` being (the
 * start of) the line: the splitter's, and the session's for a transport that
 * splits lines without a cap. (Not part of the `./protocol` entry point.)
 */
export function lineTooLong(maxLineLength: number, excerpt: string): ProtocolError {
  return new ProtocolError(
    "line-too-long",
    `Cannot read daemon message: a line exceeds the maximum length of ${maxLineLength} characters`,
    excerpt,
  );
}

/** `parts` as one view when there are several and each starts where the one before it ends, in one buffer. */
function adjacentParts(parts: readonly Uint8Array[]): Uint8Array | undefined {
  const count = parts.length;
  if (count < 2) return undefined;
  const first = parts[0]!;
  const buffer = first.buffer;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < count; i++) {
    const part = parts[i]!;
    if (part.buffer !== buffer || part.byteOffset !== end) return undefined;
    end += part.length;
  }
  return new Uint8Array(buffer, first.byteOffset, end - first.byteOffset);
}
