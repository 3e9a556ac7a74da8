/**
 * The session over the direct paths a host adapter offers (see
 * `src/session/chunk_source.ts` and `src/session/direct_write.ts`): chunks
 * taken straight from the source, replies written as text past the stream.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChunkListener, readableWithSubscribe } from "../src/session/chunk_source.ts";
import { writableWithTextWrite } from "../src/session/direct_write.ts";
import { KclProcess, type KclProcessResult, type RecordProcessor } from "../mod.ts";
import { initializeMessage, processRecordsMessage, wireRecord } from "./support/session_daemon.ts";

const status = (action: string) => `{"action":"status","responseFor":"${action}"}\n`;

interface DirectSession {
  /** Every reply, as written. */
  readonly written: string[];
  /** Delivers one daemon message as a chunk, synchronously. */
  send(message: Record<string, unknown>): void;
  /** Ends the input, or fails it with `error`. */
  end(error?: Error): void;
  /** Resolves at the next reply. */
  nextReply(): Promise<string>;
  readonly result: Promise<KclProcessResult>;
}

/**
 * A session over direct input and output; checkpoint requests are answered
 * with success at once. `writeText` may replace the output's text write.
 */
function directSession(
  processor: RecordProcessor,
  writeText: (line: string) => void | Promise<void> = () => {},
): DirectSession {
  const written: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let listener: ChunkListener | undefined;
  const encoder = new TextEncoder();
  const deliver = (line: string) => listener!.chunk(encoder.encode(line));
  const input = readableWithSubscribe((subscriber) => {
    listener = subscriber;
    return { stop() {}, pause() {}, resume() {} };
  });
  const output = writableWithTextWrite({
    write: () => assert.fail("a reply went through the stream, not the text write"),
    writeText(line) {
      const outcome = writeText(line);
      written.push(line);
      for (const wake of waiting.splice(0)) wake(line);
      const request = JSON.parse(line) as { action: string; sequenceNumber: string | null };
      if (request.action === "checkpoint" && outcome === undefined) {
        // Like the daemon: the reply comes once the request was read, not inside the write.
        void Promise.resolve().then(() =>
          deliver(`{"action":"checkpoint","sequenceNumber":${JSON.stringify(request.sequenceNumber)},"error":null}\n`)
        );
      }
      return outcome;
    },
  });
  const result = new KclProcess(processor, { input, output }).run();
  assert.ok(listener !== undefined, "run() subscribes to the input at once");
  return {
    written,
    send: (message) => deliver(JSON.stringify(message) + "\n"),
    end: (error) => listener!.end(error),
    nextReply: () => new Promise((resolve) => waiting.push(resolve)),
    result,
  };
}

describe("KclProcess over a host's direct paths", () => {
  it("reads chunks straight from the source and writes every reply as text", async () => {
    const seen: string[] = [];
    const session = directSession({
      async processRecords({ records, checkpointer }) {
        for (const record of records) seen.push(record.text());
        await checkpointer.checkpoint(records.at(-1)!);
      },
    });
    let reply = session.nextReply();
    session.send(initializeMessage());
    assert.equal(await reply, status("initialize"));
    for (const sequenceNumber of ["1", "2"]) {
      reply = session.nextReply();
      session.send(processRecordsMessage([wireRecord(sequenceNumber)]));
      while ((await reply) !== status("processRecords")) reply = session.nextReply();
    }
    reply = session.nextReply();
    session.send({ action: "leaseLost" });
    assert.equal(await reply, status("leaseLost"));
    session.end();
    const result = await session.result;
    assert.equal(result.exitCode, 0);
    assert.deepEqual(seen, ["record 1", "record 2"]);
    assert.deepEqual(session.written, [
      status("initialize"),
      '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}\n',
      status("processRecords"),
      '{"action":"checkpoint","sequenceNumber":"2","subSequenceNumber":0}\n',
      status("processRecords"),
      status("leaseLost"),
    ]);
  });

  for (
    const [how, writeText] of [
      ["throws", () => {
        throw new Error("EPIPE");
      }],
      ["rejects", () => Promise.reject(new Error("EPIPE"))],
    ] as const
  ) {
    it(`ends with exit code 1 when the text write ${how}`, async () => {
      const session = directSession({ processRecords() {} }, writeText);
      session.send(initializeMessage());
      const result = await session.result;
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /^Cannot write a reply to the daemon: EPIPE/);
    });

    it(`rejects a checkpoint whose text write ${how}, and ends with exit code 1`, async () => {
      let checkpointError: unknown;
      let writes = 0;
      const session = directSession({
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint().catch((error) => {
            checkpointError = error;
            throw error;
          });
        },
      }, (line) => ++writes > 1 ? writeText() : void line);
      const reply = session.nextReply();
      session.send(initializeMessage());
      await reply;
      session.send(processRecordsMessage([wireRecord("1")]));
      const result = await session.result;
      assert.equal(result.exitCode, 1);
      assert.match(String(checkpointError), /EPIPE/);
    });
  }

  it("ends with exit code 1 and the source's error when the input fails", async () => {
    const session = directSession({ processRecords() {} });
    session.end(new Error("stdin read failed"));
    const result = await session.result;
    assert.equal(result.exitCode, 1);
    assert.equal(result.error?.message, "stdin read failed");
  });

  it("ends with exit code 1 when the input ends mid-action", async () => {
    const session = directSession({ processRecords: () => new Promise(() => {}) });
    const reply = session.nextReply();
    session.send(initializeMessage());
    await reply;
    session.send(processRecordsMessage([wireRecord("1")]));
    session.end();
    const result = await session.result;
    assert.equal(result.exitCode, 1);
    assert.match(result.error?.message ?? "", /closed the input while it was in flight/);
  });
});
