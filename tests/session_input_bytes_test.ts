import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KclProcess, type LogLevel } from "../mod.ts";
import { memoryTransport, TRANSPORT_KINDS, type TransportKind } from "./support/memory_transports.ts";

/**
 * Runs a session over `lines` (bytes each), every line delivered in chunks
 * of `size` bytes, each line only after the previous one was answered (like
 * the daemon, which waits for each status).
 */
async function session(kind: TransportKind, lines: Uint8Array[], size: number, maxLineLength?: number) {
  const warnings: string[] = [];
  const replies: string[] = [];
  let replied = () => {};
  let awaited = 0;
  const chunks = function* () {
    for (const bytes of lines) {
      for (let offset = 0; offset < bytes.length; offset += size) yield bytes.slice(offset, offset + size);
      yield "wait" as const; // for this line's reply
    }
  }();
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const next = chunks.next();
        if (next.done) return controller.close();
        if (next.value !== "wait") return controller.enqueue(next.value);
        awaited++;
        if (replies.length < awaited) await new Promise<void>((resolve) => (replied = resolve));
      }
    },
  });
  const output = (reply: string) => {
    replies.push(reply);
    replied();
  };
  const log = (level: LogLevel, message: string) => void (level === "warn" && warnings.push(message));
  const transport = memoryTransport(kind, input, output);
  const cap = maxLineLength === undefined ? {} : { maxLineLength };
  const result = await new KclProcess({ processRecords() {} }, { transport, log, ...cap }).run();
  return { result, warnings, replies };
}

const encoder = new TextEncoder();
const initialize = (shardId: string) =>
  `{"action":"initialize","shardId":${JSON.stringify(shardId)},"sequenceNumber":null,"subSequenceNumber":null}`;

for (const kind of TRANSPORT_KINDS) {
  describe(`KclProcess: decoding input split into bytes anywhere (${kind} transport)`, () => {
    for (const size of [1, 2, 3, 5, 64]) {
      it(`decodes multi-byte characters cut by ${size}-byte chunks, and a leading BOM`, async () => {
        const shardId = "shard-é-€-😀";
        const lines = [encoder.encode(`\uFEFF${initialize(shardId)}\r\n`), encoder.encode('{"action":"leaseLost"}\n')];
        const { result, replies, warnings } = await session(kind, lines, size);
        assert.equal(result.exitCode, 0);
        assert.equal(result.shardId, shardId);
        assert.equal(replies.length, 2);
        assert.deepEqual(warnings, []);
      });
    }

    // Deno's TextDecoderStream drops a BOM at the start of every chunk, not only the first.
    const denoDecoder = kind === "streams" && typeof (globalThis as { Deno?: unknown }).Deno === "object";
    it(
      "keeps a BOM that is not at the start of the input (the line is then not JSON)",
      { skip: denoDecoder },
      async () => {
        // The skipped line gets no answer: the action after it travels with it.
        const lines = [
          encoder.encode(`${initialize("s")}\n`),
          encoder.encode('\uFEFF{"action":"leaseLost"}\n{"action":"leaseLost"}\n'),
        ];
        const { result, replies, warnings } = await session(kind, lines, 7);
        assert.equal(result.exitCode, 0);
        assert.equal(replies.length, 2);
        assert.deepEqual(warnings, ["Skipping a line that is not a daemon message"]);
      },
    );

    it("replaces invalid UTF-8 as one streaming decoder would", async () => {
      const head = encoder.encode('{"action":"initialize","shardId":"a');
      const tail = encoder.encode('b","sequenceNumber":null,"subSequenceNumber":null}\n');
      const bytes = new Uint8Array([...head, 0xe2, 0x82, ...tail]); // a truncated "€"
      const { result } = await session(kind, [bytes], 3);
      assert.equal(result.shardId, "a\uFFFDb");
    });

    it("counts the line cap in characters, not bytes", async () => {
      const line = initialize("é".repeat(40));
      const bytes = encoder.encode(`${line}\n`);
      assert.ok(bytes.length > line.length + 1);
      const { result } = await session(kind, [bytes], 4, line.length);
      assert.equal(result.exitCode, 0);
      assert.equal(result.shardId, "é".repeat(40));
    });

    it("fails a line one character over the cap", async () => {
      const line = initialize("é".repeat(40));
      const { result } = await session(kind, [encoder.encode(`${line}\n`)], 4, line.length - 1);
      assert.equal(result.exitCode, 1);
      assert.match(String(result.error?.message), /maximum length/);
    });
  });
}
