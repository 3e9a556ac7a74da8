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

/**
 * `Buffer.from` skips characters outside the alphabet: a length check
 * refuses those (as before this file, and at no cost); it still accepts
 * base64url's `-` and `_`, and characters beyond Latin-1 whose low byte is in
 * the alphabet, which the daemon (Java's standard encoder) never writes. The
 * result is a plain `Uint8Array` view of the same memory (it may view Node's
 * shared pool).
 */
export function decodeWithBuffer(base64: string): Uint8Array {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length !== decodedLength(base64)) invalid(base64);
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
