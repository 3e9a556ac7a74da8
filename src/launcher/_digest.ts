/**
 * Digests: SHA-1, the checksum Maven repositories publish beside every file,
 * and SHA-256, the one lock files record (Web Crypto: the same on every runtime).
 *
 * @module
 */

/** The lowercase hex SHA-1 of `bytes`. */
export function sha1Hex(bytes: Uint8Array): Promise<string> {
  return digestHex("SHA-1", bytes);
}

/** The lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): Promise<string> {
  return digestHex("SHA-256", bytes);
}

async function digestHex(algorithm: "SHA-1" | "SHA-256", bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The digest in a repository `.sha1` file: the first word, which is either
 * the whole file or followed by a file name (`sha1sum` style); `undefined`
 * when it is not 40 hex digits.
 */
export function parseSha1File(text: string): string | undefined {
  const word = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return /^[0-9a-f]{40}$/.test(word) ? word : undefined;
}
