/**
 * Node's native base64 decoder, for Node versions without the Web
 * platform's `Uint8Array.fromBase64` (before 26): `Buffer.from` decodes a
 * batch's payloads several times faster than any portable decoder
 * (bench/README.md, "Base64 without a runtime's global").
 *
 * @module
 */

import { Buffer } from "node:buffer";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * The fastest decoder of standard, padded base64 on this Node: `undefined`
 * when the platform's own `Uint8Array.fromBase64` is there.
 */
export function nodeBase64Decoder(): ((base64: string) => Uint8Array) | undefined {
  return "fromBase64" in Uint8Array ? undefined : decodeWithBuffer;
}

/** Node's own decoder into a given view (`Buffer.prototype.base64Write`, on Node since 0.x): bytes written. */
type Base64Write = (this: Uint8Array, base64: string, offset: number, length: number) => number;
const base64Write = (Buffer.prototype as unknown as { base64Write?: Base64Write }).base64Write;

/**
 * Payloads are decoded into shared blocks of this size, each a view of its
 * own; one over half a block gets memory of its own. Like Node's 8 KiB
 * `Buffer` pool, but a 20 MB batch takes ~230 blocks instead of ~2,000
 * pools, and one object per record instead of two (bench/README.md, "Third
 * pass").
 */
const BLOCK = 64 * 1024;
let block: Uint8Array = new Uint8Array(0);
let used = 0;

/**
 * Decodes with Node's native decoder, as `Buffer.from(base64, "base64")`
 * does, straight into a plain `Uint8Array` view (no `Buffer`: the same type
 * on every runtime). That decoder skips characters outside the alphabet: a
 * length check refuses those (at no cost); it still accepts base64url's `-`
 * and `_`, and characters beyond Latin-1 whose low byte is in the alphabet,
 * which the daemon (Java's standard encoder) never writes. The view may share
 * its `buffer` with other records' bytes, as a pooled `Buffer` does.
 */
export function decodeWithBuffer(base64: string): Uint8Array {
  const length = decodedLength(base64);
  if (base64Write === undefined) return decodeFrom(base64, length);
  let target: Uint8Array;
  let offset = 0;
  if (length > BLOCK >>> 1) target = unfilled(length);
  else {
    if (used + length > block.length) {
      block = unfilled(BLOCK);
      used = 0;
    }
    target = block;
    offset = used;
  }
  // Fewer bytes than the length says: characters outside the alphabet were skipped.
  if (base64Write.call(target, base64, offset, length) !== length) invalid(base64);
  if (target !== block) return target;
  // The next payload starts 8-byte aligned, as in Node's pool.
  used = (offset + length + 7) & ~7;
  return block.subarray(offset, offset + length);
}

/**
 * Memory not zero-filled first (`Buffer.allocUnsafeSlow`), like Node's pool:
 * a view's own bytes are all written before it is returned.
 */
function unfilled(length: number): Uint8Array {
  const bytes = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, length);
}

/** Where `Buffer` has no `base64Write`: through `Buffer.from`, then a plain view of its memory. */
function decodeFrom(base64: string, length: number): Uint8Array {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length !== length) invalid(base64);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodedLength(base64: string): number {
  let end = base64.length;
  while (end > 0 && base64.charCodeAt(end - 1) === 61) end--; // "="
  if ((end & 3) === 1) throw new SyntaxError("Cannot decode base64: truncated input");
  return (end * 3) >> 2;
}

function invalid(base64: string): never {
  let offset = 0;
  while (offset < base64.length && ALPHABET.includes(base64[offset]!)) offset++;
  throw new SyntaxError(`Cannot decode base64: invalid character at offset ${offset}`);
}
