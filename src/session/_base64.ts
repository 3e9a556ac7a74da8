/**
 * Base64 to bytes with the Web platform only: the native
 * `Uint8Array.fromBase64` (Deno, Bun, Node 26+), else a portable decoder.
 * A runtime with a faster native decoder of its own passes it to the session
 * (`KclProcessOptions.decodeBase64`: `run()` does on Node before 26); this
 * file names no runtime (bench/README.md, "Base64 without a runtime's
 * global", has the figures).
 *
 * @module
 */

type FromBase64 = (text: string) => Uint8Array;

const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;

/**
 * Decodes standard, padded base64 (the daemon's encoding).
 *
 * @throws {SyntaxError} on characters outside the base64 alphabet.
 */
export const decodeBase64: FromBase64 = native !== undefined ? native.bind(Uint8Array) : decodePortable;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Each ASCII byte's sextet, shifted to its place in a quantum of four (-1: outside the alphabet). */
const PLACES = [18, 12, 6, 0].map((shift) => {
  const table = new Int32Array(256).fill(-1);
  for (let i = 0; i < 64; i++) table[ALPHABET.charCodeAt(i)] = i << shift;
  return table;
});
const [T0, T1, T2, T3] = PLACES as [Int32Array, Int32Array, Int32Array, Int32Array];
/** Texts up to this long are encoded into one reused buffer; longer ones into their own (not kept). */
const SCRATCH_LENGTH = 64 * 1024;
const encoder = new TextEncoder();
let scratch: Uint8Array | undefined;

/**
 * The portable decoder (exported for tests on runtimes that have the native
 * one). The text is copied to bytes natively (`encodeInto`), then each
 * quantum of four is one lookup per character in tables that place the
 * sextet: about twice as fast as reading the string's characters one by one,
 * and faster than `atob` plus a loop over its string on every runtime.
 */
export function decodePortable(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // "="
  const length = text.length;
  const bytes = length <= SCRATCH_LENGTH ? (scratch ??= new Uint8Array(SCRATCH_LENGTH)) : new Uint8Array(length);
  // Only ASCII fits byte for byte: anything else is outside the alphabet.
  const { read, written } = encoder.encodeInto(text, bytes);
  if (read !== length || written !== length) invalid(text);
  const rest = end & 3;
  if (rest === 1) throw new SyntaxError("Cannot decode base64: truncated input");
  const out = new Uint8Array((end * 3) >> 2);
  const whole = end - rest;
  let o = 0;
  let check = 0;
  for (let i = 0; i < whole; i += 4) {
    const n = T0[bytes[i]!]! | T1[bytes[i + 1]!]! | T2[bytes[i + 2]!]! | T3[bytes[i + 3]!]!;
    check |= n;
    out[o] = n >> 16;
    out[o + 1] = n >> 8;
    out[o + 2] = n;
    o += 3;
  }
  if (rest !== 0) {
    const n = T0[bytes[whole]!]! | T1[bytes[whole + 1]!]! | (rest === 3 ? T2[bytes[whole + 2]!]! : 0);
    check |= n;
    out[o] = n >> 16;
    if (rest === 3) out[o + 1] = n >> 8;
  }
  if (check < 0) invalid(text);
  return out;
}

/** Throws the error for a text with a character outside the alphabet (or padding in its middle). */
function invalid(text: string): never {
  let offset = 0;
  while (offset < text.length && ALPHABET.includes(text[offset]!)) offset++;
  throw new SyntaxError(`Cannot decode base64: invalid character at offset ${offset}`);
}
