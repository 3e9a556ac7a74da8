import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RecordMessage } from "../src/protocol/mod.ts";
import { createRecord } from "../src/session/record.ts";
import { decodeBase64, decodePortable } from "../src/session/_base64.ts";
import { decodeWithBuffer, nodeBase64Decoder } from "../src/runtime/_node_base64.ts";
import { seededRandom } from "./support/seeded_random.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A reference encoder written from the RFC 4648 definition, independent of the runtime. */
function referenceBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += b === undefined ? "=" : ALPHABET[(n >> 6) & 63]!;
    out += c === undefined ? "=" : ALPHABET[n & 63]!;
  }
  return out;
}

function message(overrides: Partial<RecordMessage> = {}): RecordMessage {
  return {
    data: btoa("hello"),
    partitionKey: "pk-1",
    sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
    subSequenceNumber: 0,
    approximateArrivalTimestamp: 1700000000123,
    ...overrides,
  };
}

describe("decodePortable", () => {
  it("decodes random bytes of every length 0..64 like the reference", () => {
    const random = seededRandom(64);
    for (let length = 0; length <= 64; length++) {
      for (let n = 0; n < 20; n++) {
        const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
        const text = referenceBase64(bytes);
        assert.deepEqual(decodePortable(text), bytes, `length ${length}: ${text}`);
        assert.deepEqual(decodeBase64(text), bytes, `native, length ${length}: ${text}`);
        assert.deepEqual(decodeWithBuffer(text), bytes, `Node's Buffer, length ${length}: ${text}`);
      }
    }
  });

  it("decodes payloads longer than its reused buffer, and short ones after them", () => {
    const random = seededRandom(7);
    for (const length of [48 * 1024, 200_000, 3]) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      assert.deepEqual(decodePortable(referenceBase64(bytes)), bytes, `length ${length}`);
    }
  });

  it("decodes every byte value and both non-alphanumeric characters", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(decodePortable(referenceBase64(bytes)), bytes);
    assert.deepEqual(decodePortable("+/+/"), Uint8Array.of(0xfb, 0xff, 0xbf));
  });

  it("agrees with atob on the same input", () => {
    const random = seededRandom(3);
    const bytes = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 256));
    const text = referenceBase64(bytes);
    assert.equal(text, btoa(String.fromCharCode(...bytes)));
    assert.deepEqual(decodePortable(text), Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  });

  // Node's Buffer accepts base64url's "-" and "_" and a character whose low byte is in the alphabet (never sent).
  const lenient = new Set(["ab-d", "ab_d", "a\u0141=="]);
  for (const [name, decode] of [["decodePortable", decodePortable], ["Node's Buffer", decodeWithBuffer]] as const) {
    it(`rejects characters outside the alphabet with a SyntaxError naming the offset (${name})`, () => {
      for (
        const [text, offset] of [
          ["ab-d", 2],
          ["ab_d", 2],
          ["aGVs*G8=", 4],
          ["a b=", 1],
          ["aé==", 1],
          ["a\u0141==", 1],
          ["😀AA", 0],
          ["ab=d", 2],
          ["aGVsbG8*".repeat(20_000), 7],
        ] as const
      ) {
        if (decode === decodeWithBuffer && lenient.has(text)) continue;
        assert.throws(() => decode(text), (error: unknown) => {
          assert.ok(error instanceof SyntaxError, String(error));
          assert.equal(error.message, `Cannot decode base64: invalid character at offset ${offset}`);
          return true;
        }, text.slice(0, 20));
      }
    });

    it(`rejects truncated input (${name})`, () => {
      assert.throws(() => decode("aGVsb"), /truncated/);
      assert.throws(() => decode("a"), /truncated/);
      assert.throws(() => decode("a==="), /truncated/);
    });
  }

  it("Node's decoder is used only where the platform has no Uint8Array.fromBase64", () => {
    assert.equal(
      nodeBase64Decoder() === undefined,
      typeof (Uint8Array as { fromBase64?: unknown }).fromBase64 === "function",
    );
  });
});

describe("createRecord", () => {
  it("exposes the wire fields", () => {
    const record = createRecord(message({ subSequenceNumber: 4 }));
    assert.equal(record.sequenceNumber, "49590338271490256608559692538361571095921575989136588898");
    assert.equal(record.subSequenceNumber, 4);
    assert.equal(record.partitionKey, "pk-1");
    assert.ok(record.approximateArrivalTimestamp instanceof Date);
    assert.equal(record.approximateArrivalTimestamp.getTime(), 1700000000123);
    assert.equal(record.approximateArrivalTimestamp.toISOString(), "2023-11-14T22:13:20.123Z");
  });

  it("reads a null subSequenceNumber (KCL 1.x) as 0, and null timestamp and partition key as null", () => {
    const record = createRecord(
      message({ subSequenceNumber: null, approximateArrivalTimestamp: null, partitionKey: null }),
    );
    assert.equal(record.subSequenceNumber, 0);
    assert.equal(record.approximateArrivalTimestamp, null);
    assert.equal(record.partitionKey, null);
  });

  it("decodes the payload lazily: a record with bad data fails only when the data is read", () => {
    const record = createRecord(message({ data: "not base64!", sequenceNumber: "77", subSequenceNumber: 2 }));
    assert.equal(record.sequenceNumber, "77");
    assert.throws(() => record.data, (error: unknown) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, /^Cannot decode record 77\/2: data is not base64/);
      return true;
    });
    assert.throws(() => record.text(), /Cannot decode record 77\/2/);
  });

  it("decodes with the decoder it was given (a runtime's faster one)", () => {
    const seen: string[] = [];
    const record = createRecord(message({ data: btoa("abc") }), (base64) => {
      seen.push(base64);
      return decodeWithBuffer(base64);
    });
    assert.equal(record.text(), "abc");
    assert.deepEqual(seen, [btoa("abc")]);
  });

  it("decodes once and returns the same bytes on every access", () => {
    const record = createRecord(message({ data: btoa("abc") }));
    const first = record.data;
    assert.deepEqual(first, new TextEncoder().encode("abc"));
    assert.equal(record.data, first);
  });

  it("gives empty bytes for null and empty data", () => {
    for (const data of [null, ""]) {
      const record = createRecord(message({ data }));
      assert.equal(record.data.length, 0);
      assert.equal(record.text(), "");
    }
  });

  it("decodes text as UTF-8, and binary data exactly", () => {
    const text = "héllo ∑ 😀 \u2028";
    const bytes = new TextEncoder().encode(text);
    const record = createRecord(message({ data: referenceBase64(bytes) }));
    assert.equal(record.text(), text);
    const binary = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    assert.deepEqual(createRecord(message({ data: referenceBase64(binary) })).data, binary);
  });

  it("parses JSON payloads", () => {
    const value = {
      id: 1,
      tags: ["a", "b"],
      nested: { ok: true },
      big: "49590338271490256608559692538361571095921575989136588898",
    };
    const record = createRecord(message({ data: referenceBase64(new TextEncoder().encode(JSON.stringify(value))) }));
    assert.deepEqual(record.json(), value);
    assert.deepEqual(record.json<typeof value>().tags, ["a", "b"]);
  });

  it("names the record when the payload is not JSON", () => {
    const record = createRecord(message({ data: btoa("{oops"), sequenceNumber: "42", subSequenceNumber: 3 }));
    assert.throws(() => record.json(), (error: unknown) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, /^Cannot parse record 42\/3 as JSON: /);
      return true;
    });
  });

  it("serializes to the wire fields with JSON.stringify", () => {
    const wire = message();
    assert.deepEqual(JSON.parse(JSON.stringify(createRecord(wire))), wire);
  });
});
