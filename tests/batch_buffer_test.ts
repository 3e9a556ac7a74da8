import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchBuffer } from "../src/batch/_batch_buffer.ts";
import type { SequencePosition } from "../mod.ts";
import { formatPosition } from "../src/session/sequence.ts";

const at = (sequenceNumber: string | number, subSequenceNumber = 0) => ({
  sequenceNumber: String(sequenceNumber),
  subSequenceNumber,
});
const show = (position: SequencePosition | undefined) => position === undefined ? undefined : formatPosition(position);

describe("BatchBuffer: sealing", () => {
  it("seals a batch when it reaches maxRecords", () => {
    const buffer = new BatchBuffer<number>({ maxRecords: 3, maxBytes: 1000 });
    const sealed = [1, 2, 3, 4].flatMap((n) => buffer.add(undefined, n, 1, at(n)).sealed.map((b) => b.items));
    assert.deepEqual(sealed, [[1, 2, 3]]);
    assert.equal(buffer.heldRecords, 4);
    assert.equal(buffer.takeNext()?.sealedBy, "records");
  });

  it("seals when the bytes reach maxBytes, and never lets an item overflow a non-empty batch", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 100, maxBytes: 10 });
    const sizes: Record<string, number> = { a: 4, b: 4, c: 4, d: 6, e: 25, f: 1 };
    const sealed: string[][] = [];
    let n = 0;
    for (const [item, bytes] of Object.entries(sizes)) {
      sealed.push(...buffer.add(undefined, item, bytes, at(++n)).sealed.map((b) => b.items));
    }
    // a+b = 8; c would make 12: a new batch. c+d = 10 reaches the limit. e alone is over it. f stays open.
    assert.deepEqual(sealed, [["a", "b"], ["c", "d"], ["e"]]);
    assert.equal(buffer.heldBytes, 44);
  });

  it("keeps a separate batch per key", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 2, maxBytes: 1000 });
    const sealed: string[][] = [];
    ["a1", "b2", "a3", "b4", "a5"].forEach((item, index) => {
      sealed.push(...buffer.add(item[0], item, 1, at(index + 1)).sealed.map((b) => b.items));
    });
    assert.deepEqual(sealed, [["a1", "a3"], ["b2", "b4"]]);
  });

  it("hands out one batch per key at a time, oldest first", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 1, maxBytes: 1000 });
    ["a1", "a2", "b3"].forEach((item, index) => buffer.add(item[0], item, 1, at(index + 1)));
    const first = buffer.takeNext()!;
    const second = buffer.takeNext()!;
    assert.deepEqual([first.items, second.items], [["a1"], ["b3"]]);
    assert.equal(buffer.takeNext(), undefined, "a2 waits for a1");
    buffer.finish(first);
    assert.deepEqual(buffer.takeNext()?.items, ["a2"]);
  });

  it("seals everything open for a drain, and finds the oldest open batch", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 10, maxBytes: 1000 });
    ["b1", "a2", "b3"].forEach((item, index) => buffer.add(item[0], item, 1, at(index + 1)));
    assert.deepEqual(buffer.oldestOpen()?.items, ["b1", "b3"]);
    assert.deepEqual(buffer.sealAll("drain").map((b) => b.key), ["b", "a"]);
    assert.equal(buffer.oldestOpen(), undefined);
  });
});

describe("BatchBuffer: the safe position", () => {
  it("allows nothing before the first record is done", () => {
    const buffer = new BatchBuffer<number>({ maxRecords: 1, maxBytes: 1000 });
    assert.equal(buffer.safePosition(), undefined);
    buffer.add(undefined, 1, 1, at(1));
    assert.equal(buffer.safePosition(), undefined);
    const batch = buffer.takeNext()!;
    buffer.finish(batch);
    assert.equal(show(buffer.safePosition()), "1/0");
  });

  it("is the minimum over keys: the record before the oldest unflushed one", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 2, maxBytes: 1000 });
    ["a1", "b2", "a3", "b4", "a5"].forEach((item, index) => buffer.add(item[0], item, 1, at(index + 1)));
    const a = buffer.takeNext()!;
    const b = buffer.takeNext()!;
    buffer.finish(b);
    assert.equal(show(buffer.safePosition()), undefined, "a1 is unflushed and nothing precedes it");
    buffer.finish(a);
    assert.equal(show(buffer.safePosition()), "4/0", "a5 is still open");
    buffer.sealAll("drain");
    buffer.finish(buffer.takeNext()!);
    assert.equal(show(buffer.safePosition()), "5/0");
    assert.equal(buffer.isEmpty, true);
  });

  it("stops below a batch in flight even when a later key finished", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 1, maxBytes: 1000 });
    buffer.accept(at(1));
    ["a2", "b3", "c4"].forEach((item, index) => buffer.add(item[0], item, 1, at(index + 2)));
    const a = buffer.takeNext()!;
    const b = buffer.takeNext()!;
    const c = buffer.takeNext()!;
    buffer.finish(c);
    buffer.finish(b);
    assert.equal(show(buffer.safePosition()), "1/0");
    buffer.finish(a);
    assert.equal(show(buffer.safePosition()), "4/0");
  });

  it("counts skipped records as done", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 10, maxBytes: 1000 });
    buffer.accept(at(1));
    buffer.accept(at(2));
    assert.equal(show(buffer.safePosition()), "2/0");
    buffer.add(undefined, "x", 1, at(3));
    buffer.accept(at(4));
    assert.equal(show(buffer.safePosition()), "2/0", "3 is held; 4 is skipped but after it");
  });

  it("orders KPL sub-records of one sequence number", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 1, maxBytes: 1000 });
    ["a", "b", "a"].forEach((key, sub) => buffer.add(key, `${key}${sub}`, 1, at(7, sub)));
    const first = buffer.takeNext()!;
    const second = buffer.takeNext()!;
    buffer.finish(first);
    assert.equal(show(buffer.safePosition()), "7/0", "7/1 is in flight");
    const third = buffer.takeNext()!;
    buffer.finish(third);
    assert.equal(show(buffer.safePosition()), "7/0");
    buffer.finish(second);
    assert.equal(show(buffer.safePosition()), "7/2");
  });

  it("holds a failed batch for good", () => {
    const buffer = new BatchBuffer<string>({ maxRecords: 1, maxBytes: 1000 });
    buffer.accept(at(1));
    ["a2", "b3"].forEach((item, index) => buffer.add(item[0], item, 1, at(index + 2)));
    const a = buffer.takeNext()!;
    const b = buffer.takeNext()!;
    buffer.fail(a);
    buffer.finish(b);
    assert.equal(show(buffer.safePosition()), "1/0");
    assert.equal(buffer.isEmpty, false);
    buffer.add("a", "a4", 1, at(4));
    assert.equal(buffer.takeNext(), undefined, "the failed key stays blocked");
  });

  it("keeps the safe position right over many batches", () => {
    const buffer = new BatchBuffer<number>({ maxRecords: 1, maxBytes: 1000 });
    for (let n = 1; n <= 5000; n++) {
      buffer.add(undefined, n, 1, at(n));
      buffer.finish(buffer.takeNext()!);
      if (n % 1000 === 0) assert.equal(show(buffer.safePosition()), `${n}/0`);
    }
    assert.equal(buffer.heldRecords, 0);
  });
});
