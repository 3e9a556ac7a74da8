/**
 * Base64 to bytes, as fast as the runtime allows: the native
 * `Uint8Array.fromBase64` (Deno, Bun, Node 26+), else a table decoder that
 * beats `atob` + a copy loop.
 *
 * @module
 */

type FromBase64 = (text: string) => Uint8Array;

const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;

const TABLE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  TABLE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
}

/**
 * Decodes standard, padded base64 (the daemon's encoding).
 *
 * @throws {SyntaxError} on characters outside the base64 alphabet.
 */
export const decodeBase64: FromBase64 = native !== undefined ? native.bind(Uint8Array) : decodePortable;

/** The portable decoder, exported for tests on runtimes that have the native one. */
export function decodePortable(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // "="
  const out = new Uint8Array((end * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = end - i;
  if (rest === 1) throw new SyntaxError("Cannot decode base64: truncated input");
  if (rest >= 2) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (rest === 3 ? sextet(text, i + 2) << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const value = TABLE[text.charCodeAt(index) & 255] ?? 255;
  if (value === 255 || text.charCodeAt(index) > 255) {
    throw new SyntaxError(`Cannot decode base64: invalid character at offset ${index}`);
  }
  return value;
}
