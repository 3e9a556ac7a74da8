/**
 * The pieces behind the stdout guard on Deno and Bun: console-style
 * formatting and the ordered, non-blocking stderr writer.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatArgs } from "../src/runtime/_format_args.ts";
import { OrderedWriter } from "../src/runtime/_ordered_writer.ts";

const inspect = (value: unknown) => `<${JSON.stringify(value)}>`;

describe("formatArgs", () => {
  it("formats like console.log: substitutions first, then the rest separated by spaces", () => {
    assert.equal(
      formatArgs(["%s has %d items (%i%%)", "cart", 3, 42.9, "extra", { a: 1 }], inspect),
      'cart has 3 items (42%) extra <{"a":1}>',
    );
    assert.equal(formatArgs(["%o and %j", [1], { b: 2 }], inspect), '<[1]> and {"b":2}');
    assert.equal(formatArgs(["%c styled", "color: red"], inspect), " styled");
    assert.equal(formatArgs(["%s and %s", "only one"], inspect), "only one and %s");
    assert.equal(formatArgs([{ not: "a format" }, "text"], inspect), '<{"not":"a format"}> text');
    assert.equal(formatArgs([], inspect), "");
  });
});

describe("OrderedWriter", () => {
  it("writes everything in order, joining what arrives during a write, and tells when it is out", async () => {
    const writes: string[] = [];
    let release = () => {};
    const writer = new OrderedWriter(async (bytes) => {
      await new Promise<void>((resolve) => (release = resolve));
      // Partial writes of the first chunk: the writer writes the rest.
      const taken = writes.length < 2 ? Math.min(bytes.length, 2) : bytes.length;
      writes.push(new TextDecoder().decode(bytes.subarray(0, taken)));
      return taken;
    });
    writer.write("one\n");
    writer.write("two\n");
    writer.write("three\n");
    let flushed = false;
    const done = writer.flushed().then(() => (flushed = true));
    while (!flushed) {
      release();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await done;
    assert.deepEqual(writes, ["on", "e\n", "two\nthree\n"], "the first write went alone; the next two were joined");
  });

  it("drops what is queued when the output fails, without throwing into the caller", async () => {
    const attempts: string[] = [];
    const writer = new OrderedWriter((bytes) => {
      attempts.push(new TextDecoder().decode(bytes));
      return Promise.reject(new Error("EPIPE"));
    });
    writer.write("lost\n");
    writer.write("queued behind it\n");
    await writer.flushed();
    assert.deepEqual(attempts, ["lost\n"], "what was queued behind the failed write is dropped, not tried");
    writer.write("later\n");
    await writer.flushed();
    assert.deepEqual(attempts, ["lost\n", "later\n"], "a later write is tried on its own, the dropped text not again");
  });
});
