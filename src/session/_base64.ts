/**
 * Base64 to bytes, as fast as the runtime allows: the native
 * `Uint8Array.fromBase64` (Deno, Bun, Node 26+), else Node's `Buffer` (native
 * code), else a table decoder (no `atob` string to copy). Feature detection
 * only: no runtime is named here.
 *
 * @module
 */

type FromBase64 = (text: string) => Uint8Array;

const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
// Only looked up without the native decoder: on Deno, touching `Buffer` loads its Node layer.
const buffer = native === undefined
  ? (globalThis as { Buffer?: { from(text: string, encoding: "base64"): Uint8Array } }).Buffer
  : undefined;

const TABLE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  TABLE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
}

/**
 * Decodes standard, padded base64 (the daemon's encoding).
 *
 * @throws {SyntaxError} on characters outside the base64 alphabet.
 */
export const decodeBase64: FromBase64 = native !== undefined
  ? native.bind(Uint8Array)
  : buffer !== undefined
  ? decodeWithBuffer
  : decodePortable;

/**
 * `Buffer.from` skips characters outside the alphabet instead of failing; a
 * length check catches that, and the portable decoder then names the offset.
 * (The result may view Node's shared pool: mind `byteOffset`.)
 */
function decodeWithBuffer(text: string): Uint8Array {
  const bytes = buffer!.from(text, "base64");
  if (bytes.length !== decodedLength(text)) return decodePortable(text);
  // A plain Uint8Array view (no copy): the same type on every runtime.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodedLength(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // "="
  return (end * 3) >> 2;
}

/** The portable decoder, exported for tests on runtimes that have the native one. */
export function decodePortable(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // "="
  const out = new Uint8Array(decodedLength(text));
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
