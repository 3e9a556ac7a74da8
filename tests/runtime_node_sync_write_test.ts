import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeReplyWriter } from "../src/runtime/_node_sync_write.ts";

/** A writer over a fresh file's descriptor; `queued` plays the stream's `writableLength`. */
function writerOnFile(queued = 0) {
  const dir = mkdtempSync(join(tmpdir(), "kcl-sync-write-"));
  const path = join(dir, "stdout");
  const fd = openSync(path, "w");
  const streamed: (string | Uint8Array)[] = [];
  const output = { writableLength: queued };
  const reply = nodeReplyWriter(output, fd, (line) => {
    streamed.push(line);
    return true;
  });
  return {
    reply,
    output,
    streamed,
    written: () => readFileSync(path, "utf8"),
    [Symbol.dispose]: () => {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    },
  };
}

describe("nodeReplyWriter (small replies straight to stdout's descriptor)", () => {
  it("writes a small reply to the descriptor at once, in order, not through the stream", () => {
    using writer = writerOnFile();
    assert.equal(writer.reply('{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}\n'), true);
    assert.equal(writer.reply('{"action":"status","responseFor":"processRecords"}\n'), true);
    assert.equal(writer.reply('{"action":"status","responseFor":"späterer Name ∑"}\n'), true);
    assert.deepEqual(writer.streamed, []);
    assert.equal(
      writer.written(),
      '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}\n' +
        '{"action":"status","responseFor":"processRecords"}\n' +
        '{"action":"status","responseFor":"späterer Name ∑"}\n',
    );
  });

  it("goes through the stream while the stream still holds earlier replies, so that order holds", () => {
    using writer = writerOnFile(12);
    assert.equal(writer.reply("after the queued ones\n"), true);
    assert.deepEqual(writer.streamed, ["after the queued ones\n"]);
    assert.equal(writer.written(), "");
    writer.output.writableLength = 0;
    writer.reply("now straight\n");
    assert.equal(writer.written(), "now straight\n");
  });

  it("sends a reply longer than a pipe takes whole through the stream", () => {
    using writer = writerOnFile();
    const long = `${"x".repeat(5000)}\n`;
    writer.reply(long);
    assert.deepEqual(writer.streamed, [long]);
    assert.equal(writer.written(), "");
  });

  it("throws what the descriptor's write throws (one open for reading only here, EPIPE under the daemon)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kcl-sync-write-"));
    writeFileSync(join(dir, "stdout"), "");
    const fd = openSync(join(dir, "stdout"), "r");
    const reply = nodeReplyWriter({ writableLength: 0 }, fd, () => true);
    assert.throws(() => reply("line\n"), (error: unknown) => (error as { code?: string }).code === "EBADF");
    closeSync(fd);
    rmSync(dir, { recursive: true });
  });
});
