import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeWithBuffer } from "../src/runtime/_node_base64.ts";
import { seededRandom } from "./support/seeded_random.ts";

function randomBytes(random: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// Node's decoder writes payloads into shared 64 KiB blocks (one over 32 KiB gets its own memory).
describe("decodeWithBuffer (Node's decoder into shared blocks)", () => {
  it("decodes a run of payloads that spans many blocks, each intact and independent of the others", () => {
    const random = seededRandom(11);
    const expected: Uint8Array[] = [];
    const decoded: Uint8Array[] = [];
    // ~1.2 MB: about 20 blocks, with sizes that leave every kind of remainder at a block's end.
    for (let i = 0; i < 1200; i++) {
      const bytes = randomBytes(random, [0, 1, 2, 3, 1500, 1023, 7][i % 7]! + (i % 5));
      expected.push(bytes);
      decoded.push(decodeWithBuffer(base64Of(bytes)));
    }
    decoded.forEach((bytes, i) => assert.deepEqual(bytes, expected[i], `payload ${i}`));
    // Writing into one payload's bytes leaves every other payload as it was.
    for (const bytes of decoded) bytes.fill(0xaa);
    decoded.forEach((bytes, i) => {
      assert.equal(bytes.length, expected[i]!.length);
      assert.ok(bytes.every((byte) => byte === 0xaa), `payload ${i} kept its own bytes`);
    });
  });

  it("gives a plain Uint8Array (not a Buffer), small or large", () => {
    const random = seededRandom(5);
    for (const length of [0, 10, 1500, 32 * 1024, 32 * 1024 + 1, 200_000]) {
      const bytes = randomBytes(random, length);
      const decoded = decodeWithBuffer(base64Of(bytes));
      assert.equal(Object.getPrototypeOf(decoded), Uint8Array.prototype, `length ${length}`);
      assert.deepEqual(decoded, bytes, `length ${length}`);
    }
  });

  it("a payload it refuses leaves the payloads decoded before and after it intact", () => {
    const before = decodeWithBuffer(base64Of(Uint8Array.of(1, 2, 3)));
    assert.throws(() => decodeWithBuffer("aGVs*G8="), /invalid character at offset 4/);
    assert.throws(() => decodeWithBuffer(`${"A".repeat(50_000)}*AAA`), /invalid character at offset 50000/);
    const after = decodeWithBuffer(base64Of(Uint8Array.of(4, 5, 6)));
    assert.deepEqual(before, Uint8Array.of(1, 2, 3));
    assert.deepEqual(after, Uint8Array.of(4, 5, 6));
  });
});
