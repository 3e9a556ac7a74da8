import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineSplitter, LineStream, ProtocolError } from "../src/protocol/mod.ts";
import { releaseLineBuffer } from "../src/protocol/line_splitter.ts";
import { linesOfByteChunks, linesOfTextChunks, streamOf } from "./support/line_input.ts";
import { seededRandom } from "./support/seeded_random.ts";

/** Every kind of line the daemon's input can hold, with what the splitter must make of it. */
const INPUT = 'one\r\n\r\ntwo\rthree\n\u2028four\u2029 five\n\nsix é 😀 ∑\r\nseven\r\r\n{"k":"\\n"}\nlast';
const EXPECTED = ["one", "", "two\rthree", "\u2028four\u2029 five", "", "six é 😀 ∑", "seven\r", '{"k":"\\n"}', "last"];

function splitAll(chunks: readonly string[], maxLineLength?: number): string[] {
  const splitter = new LineSplitter(maxLineLength === undefined ? {} : { maxLineLength });
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...lines, ...splitter.end()];
}

function tooLong(maxLineLength: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.kind, "line-too-long");
    assert.equal(
      error.message,
      `Cannot read daemon message: a line exceeds the maximum length of ${maxLineLength} characters`,
    );
    return true;
  };
}

describe("LineSplitter", () => {
  it("splits the whole input in one chunk", () => {
    assert.deepEqual(splitAll([INPUT]), EXPECTED);
  });

  it("gives the same lines for every split point into two chunks", () => {
    for (let i = 0; i <= INPUT.length; i++) {
      assert.deepEqual(splitAll([INPUT.slice(0, i), INPUT.slice(i)]), EXPECTED, `split at ${i}`);
    }
  });

  it("gives the same lines for every pair of split points into three chunks", () => {
    for (let i = 0; i <= INPUT.length; i++) {
      for (let j = i; j <= INPUT.length; j++) {
        const chunks = [INPUT.slice(0, i), INPUT.slice(i, j), INPUT.slice(j)];
        assert.deepEqual(splitAll(chunks), EXPECTED, `split at ${i} and ${j}`);
      }
    }
  });

  it("gives the same lines fed one UTF-16 unit at a time", () => {
    assert.deepEqual(splitAll(INPUT.split("")), EXPECTED);
  });

  it("strips the \\r of a CRLF split between \\r and \\n", () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push("abc\r"), []);
    assert.deepEqual(splitter.push("\ndef\r"), ["abc"]);
    assert.deepEqual(splitter.push("\n"), ["def"]);
    assert.deepEqual(splitter.end(), []);
  });

  it("keeps a lone \\r inside a line and strips only one trailing \\r", () => {
    assert.deepEqual(splitAll(["a\rb\r\r\n\r\n"]), ["a\rb\r", ""]);
  });

  it("never splits on U+2028, U+2029, \\v or \\f", () => {
    assert.deepEqual(splitAll(["a\u2028b\u2029c\vd\fe\n"]), ["a\u2028b\u2029c\vd\fe"]);
  });

  it("flushes the final unterminated line at the end, and nothing when the input ended with \\n", () => {
    assert.deepEqual(splitAll(["x\ny"]), ["x", "y"]);
    assert.deepEqual(splitAll(["x\n"]), ["x"]);
    assert.deepEqual(splitAll([]), []);
    assert.deepEqual(splitAll([""]), []);
  });

  it("emits empty lines", () => {
    assert.deepEqual(splitAll(["\n\r\n", "\n"]), ["", "", ""]);
  });

  it("splits a 20 MB line fed in awkward chunk sizes", () => {
    const random = seededRandom(20);
    const big = bigLine(20 * 1024 * 1024, random);
    const input = `${big}\r\n{"action":"leaseLost"}\n`;
    for (const sizes of [[4093], [65537], [1048579], [1, 3, 1 << 20, 7, 999_983]]) {
      const chunks: string[] = [];
      for (let at = 0, n = 0; at < input.length; n++) {
        const size = sizes[n % sizes.length]!;
        chunks.push(input.slice(at, at + size));
        at += size;
      }
      const lines = splitAll(chunks);
      assert.equal(lines.length, 2, `chunk sizes ${sizes}`);
      assert.equal(lines[0]!.length, big.length);
      assert.ok(lines[0] === big, `the 20 MB line differs with chunk sizes ${sizes}`);
      assert.equal(lines[1], '{"action":"leaseLost"}');
    }
  });

  describe("maximum line length", () => {
    it("accepts a line of exactly the maximum, with \\n or \\r\\n, in one chunk or split anywhere", () => {
      const line = "x".repeat(10);
      for (const ending of ["\n", "\r\n"]) {
        const input = `${line}${ending}${line}${ending}`;
        for (let i = 0; i <= input.length; i++) {
          assert.deepEqual(splitAll([input.slice(0, i), input.slice(i)], 10), [line, line], `split at ${i}`);
        }
      }
      assert.deepEqual(splitAll([line], 10), [line], "final unterminated line");
      assert.deepEqual(splitAll([line.slice(0, 4), line.slice(4) + "\r"], 10), [line], "final line ending in \\r");
    });

    it("rejects a longer line within one chunk", () => {
      const splitter = new LineSplitter({ maxLineLength: 10 });
      assert.throws(() => splitter.push("ok\n" + "x".repeat(11) + "\n"), tooLong(10));
    });

    it("rejects a longer line whose end is \\r\\n in one chunk", () => {
      const splitter = new LineSplitter({ maxLineLength: 10 });
      assert.throws(() => splitter.push("x".repeat(11) + "\r\n"), tooLong(10));
    });

    it("rejects a longer line across chunks as soon as the pending text cannot fit", () => {
      const splitter = new LineSplitter({ maxLineLength: 10 });
      assert.deepEqual(splitter.push("x".repeat(6)), []);
      assert.throws(() => splitter.push("x".repeat(6)), tooLong(10));
    });

    it("rejects 11 units across chunks once the \\n shows the 11th was not a \\r", () => {
      const splitter = new LineSplitter({ maxLineLength: 10 });
      assert.deepEqual(splitter.push("x".repeat(5)), []);
      assert.deepEqual(splitter.push("x".repeat(6)), []);
      assert.throws(() => splitter.push("\n"), tooLong(10));
    });

    it("rejects a longer final unterminated line", () => {
      const splitter = new LineSplitter({ maxLineLength: 10 });
      splitter.push("x".repeat(11));
      assert.throws(() => splitter.end(), tooLong(10));
    });

    it("keeps a clipped excerpt of the offending line", () => {
      const splitter = new LineSplitter({ maxLineLength: 1000 });
      splitter.push("y".repeat(600));
      try {
        splitter.push("y".repeat(600));
        assert.fail("expected line-too-long");
      } catch (error) {
        assert.ok(error instanceof ProtocolError);
        assert.ok(error.line.startsWith("y".repeat(200) + "…"), error.line);
        assert.ok(error.line.length < 300);
      }
    });

    it("fails a LineStream with the error", async () => {
      const lines = streamOf(["ok\n", "x".repeat(6), "x".repeat(6), "\n"]).pipeThrough(
        new LineStream({ maxLineLength: 10 }),
      );
      const reader = lines.getReader();
      assert.deepEqual(await reader.read(), { done: false, value: "ok" });
      await assert.rejects(reader.read(), tooLong(10));
    });
  });
});

describe("LineStream", () => {
  it("splits text chunks and flushes the last line", async () => {
    assert.deepEqual(await linesOfTextChunks([INPUT.slice(0, 9), INPUT.slice(9)]), EXPECTED);
  });

  it("splits UTF-8 bytes cut at every byte boundary, through TextDecoderStream", async () => {
    const bytes = new TextEncoder().encode(INPUT);
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(await linesOfByteChunks([bytes.subarray(0, i), bytes.subarray(i)]), EXPECTED, `cut at ${i}`);
    }
  });

  it("splits UTF-8 bytes fed one byte at a time", async () => {
    const bytes = new TextEncoder().encode(INPUT);
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(await linesOfByteChunks(chunks), EXPECTED);
  });

  it("carries a 20 MB multibyte line through TextDecoderStream in odd-sized byte chunks", async () => {
    const random = seededRandom(7);
    const big = bigLine(20 * 1024 * 1024, random);
    const bytes = new TextEncoder().encode(`{"action":"initialize"}\n${big}\r\nend`);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 300_000);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const lines = await linesOfByteChunks(chunks);
    assert.equal(lines.length, 3);
    assert.equal(lines[0], '{"action":"initialize"}');
    assert.ok(lines[1] === big, "the 20 MB line differs");
    assert.equal(lines[2], "end");
  });
});

/** A line of about `length` UTF-16 units: base64-like text with multibyte characters sprinkled in. */
function bigLine(length: number, random: () => number): string {
  // Whole code points only: a cut surrogate pair would not survive UTF-8 encoding.
  const alphabet = Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r é∑😀\u2028");
  const block = Array.from({ length: 4096 }, () => alphabet[Math.floor(random() * alphabet.length)]!);
  const parts: string[] = [];
  let total = 0;
  while (total < length) {
    // A different rotation per block, so no two blocks are equal.
    const at = Math.floor(random() * block.length);
    const part = block.slice(at).join("") + block.slice(0, at).join("");
    parts.push(part);
    total += part.length;
  }
  return parts.join("");
}

describe("LineSplitter over UTF-8 bytes", () => {
  const bytes = new TextEncoder().encode(INPUT);
  const splitBytes = (chunks: readonly Uint8Array[], maxLineLength?: number): string[] => {
    const splitter = new LineSplitter(maxLineLength === undefined ? {} : { maxLineLength });
    const lines = chunks.flatMap((chunk) => splitter.push(chunk));
    return [...lines, ...splitter.end()];
  };

  it("gives the text splitter's lines for every pair of split points, characters cut anywhere", () => {
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j += 3) {
        const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        assert.deepEqual(splitBytes(chunks), EXPECTED, `split at ${i} and ${j}`);
      }
    }
  });

  it("gives the same lines fed one byte at a time", () => {
    assert.deepEqual(splitBytes(Array.from(bytes, (byte) => Uint8Array.of(byte))), EXPECTED);
  });

  it("drops a BOM at the start of the input only, like one streaming decoder", () => {
    const input = new TextEncoder().encode("\uFEFFa\n\uFEFFb\n");
    assert.deepEqual(splitBytes([input.subarray(0, 2), input.subarray(2)]), ["a", "\uFEFFb"]);
  });

  it("counts the cap in characters, not bytes, even across chunks", () => {
    const line = new TextEncoder().encode("é".repeat(10) + "\n");
    assert.deepEqual(splitBytes([line.subarray(0, 5), line.subarray(5)], 10), ["é".repeat(10)]);
    assert.throws(() => splitBytes([line.subarray(0, 5), line.subarray(5)], 9), tooLong(9));
    assert.throws(() => splitBytes([new TextEncoder().encode("x".repeat(30))], 9), tooLong(9));
  });

  it("refuses text after bytes (one kind per splitter)", () => {
    const splitter = new LineSplitter();
    splitter.push(new Uint8Array([97]));
    assert.throws(() => splitter.push("b"), /Cannot split lines: a bytes stream got a chunk of text/);
  });

  it("lets the source reuse a chunk's memory once push returns", () => {
    const splitter = new LineSplitter();
    const chunk = new TextEncoder().encode("abc");
    assert.deepEqual(splitter.push(chunk), []);
    chunk.fill(120); // "xxx"
    assert.deepEqual(splitter.push(new TextEncoder().encode("\n")), ["abc"]);
  });
});

describe("LineSplitter over chunks of one buffer (Node's read arena)", () => {
  const bytes = new TextEncoder().encode(`first ${"é€😀".repeat(50_000)}\nsecond\nthird part`);
  // The first line ends at byte 450,006: one chunk holds its end and the next line's start.
  const cuts = [0, 5, 70_000, 70_003, 300_001, 450_008, 450_012, bytes.length];
  const views = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
  const expected = [`first ${"é€😀".repeat(50_000)}`, "second"];

  it("joins a line whose chunks lie side by side in one buffer, and goes on after it", () => {
    const splitter = new LineSplitter({ keepChunks: true });
    assert.deepEqual(views.flatMap((view) => splitter.push(view)), expected);
    assert.deepEqual(splitter.end(), ["third part"]);
  });

  it("joins chunks of one buffer that are not side by side in the order they came", () => {
    // The same bytes, each chunk copied to another place of one buffer, out of order.
    const shared = new Uint8Array(bytes.length * 2);
    let offset = shared.length;
    const scattered = views.map((view) => {
      offset -= view.length + 1;
      shared.set(view, offset);
      return shared.subarray(offset, offset + view.length);
    });
    const splitter = new LineSplitter({ keepChunks: true });
    assert.deepEqual(scattered.flatMap((view) => splitter.push(view)), expected);
    assert.deepEqual(splitter.end(), ["third part"]);
  });
});

describe("LineSplitter's reused buffer", () => {
  for (const keepChunks of [false, true]) {
    it(`splits big lines the same after releaseLineBuffer() let the buffer go, and keeps a line under way (keepChunks: ${keepChunks})`, () => {
      const splitter = new LineSplitter({ keepChunks });
      const big = "b".repeat(3 * 1024 * 1024);
      const bytes = (text: string) => new TextEncoder().encode(text);
      for (let round = 0; round < 3; round++) {
        // A big line in pieces (it goes through the buffer), then many small whole lines.
        const line = bytes(`${round}${big}\n`);
        const lines = [
          ...splitter.push(line.subarray(0, 1000)),
          ...splitter.push(line.subarray(1000, 2_000_000)),
          ...splitter.push(line.subarray(2_000_000)),
        ];
        assert.deepEqual(lines.map((l) => l.length), [big.length + 1]);
        assert.equal(lines[0]![0], String(round));
        assert.deepEqual(splitter.push(bytes("half ")), []);
        releaseLineBuffer(splitter);
        assert.deepEqual(splitter.push(bytes("a line\n")), ["half a line"]);
        for (let i = 0; i < 20; i++) assert.deepEqual(splitter.push(bytes(`small ${i}\n`)), [`small ${i}`]);
        // A line longer than the one before it outgrows the reused buffer; one that fits reuses it.
        const longer = bytes(`${"c".repeat(4 * 1024 * 1024)}\n`);
        const shorter = bytes(`${"d".repeat(1024 * 1024)}\n`);
        for (const text of [longer, shorter]) {
          const half = text.length >> 1;
          const got = [...splitter.push(text.subarray(0, half)), ...splitter.push(text.subarray(half))];
          assert.deepEqual(got, [new TextDecoder().decode(text.subarray(0, -1))]);
        }
        releaseLineBuffer(splitter);
      }
    });
  }
});
