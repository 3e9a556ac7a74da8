import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareSequence, isSequenceNumber } from "../mod.ts";
import { seededRandom } from "./support/seeded_random.ts";

function randomDigits(random: () => number, length: number): string {
  let digits = "";
  for (let i = 0; i < length; i++) digits += String(Math.floor(random() * 10));
  return digits;
}

function reference(a: string, b: string): -1 | 0 | 1 {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe("compareSequence", () => {
  it("agrees with BigInt on random numbers of 1 to 129 digits", () => {
    const random = seededRandom(129);
    for (let n = 0; n < 5000; n++) {
      const a = randomDigits(random, 1 + Math.floor(random() * 129));
      // Half the time the same length, often sharing a long prefix: the hard cases.
      const b = random() < 0.5
        ? a.slice(0, Math.floor(random() * a.length)) + randomDigits(random, a.length).slice(0, a.length)
          .slice(Math.floor(random() * a.length) - a.length)
        : randomDigits(random, 1 + Math.floor(random() * 129));
      const bFixed = b.length === 0 ? "0" : b;
      assert.equal(compareSequence(a, bFixed), reference(a, bFixed), `${a} vs ${bFixed}`);
      assert.equal(compareSequence(bFixed, a), reference(bFixed, a), `${bFixed} vs ${a}`);
      assert.equal(compareSequence(a, a), 0);
    }
  });

  it("agrees with BigInt on neighbours of 129-digit numbers", () => {
    const random = seededRandom(5);
    for (let n = 0; n < 500; n++) {
      const a = BigInt("1" + randomDigits(random, 128));
      for (const delta of [-1n, 1n, 10n ** 64n, -(10n ** 127n)]) {
        const b = a + delta;
        assert.equal(compareSequence(String(a), String(b)), reference(String(a), String(b)));
      }
    }
  });

  it("is exact where JS numbers are not", () => {
    const a = "49590338271490256608559692538361571095921575989136588898";
    const b = "49590338271490256608559692538361571095921575989136588899";
    assert.equal(Number(a), Number(b)); // the trap this function exists for
    assert.equal(compareSequence(a, b), -1);
    assert.equal(compareSequence(b, a), 1);
    assert.equal(compareSequence("9007199254740993", "9007199254740992"), 1);
  });

  it("ignores leading zeros", () => {
    const random = seededRandom(0);
    for (let n = 0; n < 500; n++) {
      const a = randomDigits(random, 1 + Math.floor(random() * 40));
      const zeros = "0".repeat(1 + Math.floor(random() * 90));
      const b = randomDigits(random, 1 + Math.floor(random() * 40));
      assert.equal(compareSequence(zeros + a, b), reference(a, b), `${zeros}${a} vs ${b}`);
      assert.equal(compareSequence(a, zeros + b), reference(a, b), `${a} vs ${zeros}${b}`);
      assert.equal(compareSequence(zeros + a, a), 0);
    }
    assert.equal(compareSequence("0", "000"), 0);
    assert.equal(compareSequence("0010", "9"), 1);
  });

  it("orders by sub-sequence number when the sequence numbers are equal", () => {
    const seq = "123456789012345678901234567890";
    assert.equal(compareSequence({ sequenceNumber: seq, subSequenceNumber: 1 }, { sequenceNumber: seq }), 1);
    assert.equal(compareSequence({ sequenceNumber: seq, subSequenceNumber: 0 }, seq), 0);
    assert.equal(compareSequence({ sequenceNumber: seq, subSequenceNumber: null }, seq), 0);
    assert.equal(compareSequence({ sequenceNumber: seq, subSequenceNumber: undefined }, seq), 0);
    assert.equal(
      compareSequence({ sequenceNumber: seq, subSequenceNumber: 2 }, { sequenceNumber: seq, subSequenceNumber: 10 }),
      -1,
    );
    assert.equal(
      compareSequence({ sequenceNumber: "0" + seq, subSequenceNumber: 10 }, {
        sequenceNumber: seq,
        subSequenceNumber: 2,
      }),
      1,
    );
  });

  it("orders by sequence number before sub-sequence number", () => {
    assert.equal(
      compareSequence({ sequenceNumber: "10", subSequenceNumber: 0 }, { sequenceNumber: "9", subSequenceNumber: 99 }),
      1,
    );
    assert.equal(compareSequence({ sequenceNumber: "9", subSequenceNumber: 99 }, "10"), -1);
  });

  it("sorts a shuffled list into the BigInt order", () => {
    const random = seededRandom(11);
    const positions = Array.from({ length: 300 }, () => ({
      sequenceNumber: randomDigits(random, 1 + Math.floor(random() * 3)),
      subSequenceNumber: Math.floor(random() * 4),
    }));
    const sorted = [...positions].sort(compareSequence);
    for (let i = 1; i < sorted.length; i++) {
      const [p, q] = [sorted[i - 1]!, sorted[i]!];
      const byNumber = reference(p.sequenceNumber, q.sequenceNumber);
      assert.ok(byNumber < 0 || (byNumber === 0 && p.subSequenceNumber <= q.subSequenceNumber), `${i}`);
    }
  });

  it("throws a RangeError naming a sentinel or a non-decimal value", () => {
    for (const bad of ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "SHARD_END", "", "-1", "1.5", "1e3", " 1", "１"]) {
      assert.throws(() => compareSequence(bad, "1"), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.ok(error.message.includes(JSON.stringify(bad)), error.message);
        assert.match(error.message, /^Cannot compare sequence numbers: /);
        return true;
      });
      assert.throws(() => compareSequence("1", { sequenceNumber: bad }), RangeError);
    }
  });
});

describe("isSequenceNumber", () => {
  it("accepts decimal digits and nothing else", () => {
    assert.equal(isSequenceNumber("0"), true);
    assert.equal(isSequenceNumber("9".repeat(129)), true);
    for (const bad of ["TRIM_HORIZON", "", "1a", "-1", " 1", 1, null, undefined, 12n]) {
      assert.equal(isSequenceNumber(bad), false, String(bad));
    }
  });
});
