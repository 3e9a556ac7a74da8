/**
 * SHA-1 digests, the checksum Maven repositories publish beside every file.
 *
 * @module
 */

/**
 * The lowercase hex SHA-1 of `bytes` (Web Crypto: the same on every runtime).
 *
 * @example
 * ```ts
 * import { sha1Hex } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await sha1Hex(new TextEncoder().encode("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
 * ```
 */
export async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-1", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

/**
 * The digest in a repository `.sha1` file: the first word, which is either
 * the whole file or followed by a file name (`sha1sum` style); `undefined`
 * when it is not 40 hex digits.
 *
 * @example
 * ```ts
 * import { parseSha1File } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseSha1File("A9993E364706816ABA3E25717850C26C9CD0D89D  abc.jar\n"), "a9993e364706816aba3e25717850c26c9cd0d89d");
 * assert.equal(parseSha1File("<html>"), undefined);
 * ```
 */
export function parseSha1File(text: string): string | undefined {
  const word = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return /^[0-9a-f]{40}$/.test(word) ? word : undefined;
}
