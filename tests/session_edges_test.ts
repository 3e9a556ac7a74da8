/**
 * The session at its edges, over a hand-driven transport: a reply or a
 * checkpoint whose write throws at once, a checkpoint write that fails only
 * after its reply arrived, input that ends after the session failed; and the
 * logger's and describeError's corner cases.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger, KclProcess, type LineListener, type RecordProcessor, type SessionTransport } from "../mod.ts";
import { isLogLevel } from "../src/session/logger.ts";
import { describeError } from "../src/session/describe_error.ts";
import { initializeMessage, processRecordsMessage, wireRecord } from "./support/session_daemon.ts";

/** A transport driven by the test: `send` feeds a daemon line, `written` holds the replies. */
function handTransport(writeLine: (line: string) => void | Promise<void> = () => {}): SessionTransport & {
  send(message: unknown): void;
  end(error?: unknown): void;
  readonly written: string[];
} {
  let listener: LineListener | undefined;
  const written: string[] = [];
  return {
    written,
    read(next) {
      listener = next;
      return () => {};
    },
    writeLine(line) {
      written.push(line);
      return writeLine(line);
    },
    close: () => Promise.resolve(),
    send: (message) => listener!.line(JSON.stringify(message)),
    end: (error) => listener!.end(error),
  };
}

/**
 * Waits, turn after turn of the event loop, until `predicate` holds for the lines written so far; fails after
 * 10,000 turns (in-process work that needs a few turns), so that a bug fails the test instead of hanging it.
 */
async function untilWritten(transport: { written: string[] }, predicate: (lines: string[]) => boolean): Promise<void> {
  for (let turn = 0; !predicate(transport.written); turn++) {
    if (turn === 10_000) assert.fail(`still not written after ${turn} event-loop turns: ${transport.written.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("KclProcess over a transport whose write fails", () => {
  it("ends with exit code 1 when a reply's write throws at once, and ignores input that ends afterwards", async () => {
    const errors: string[] = [];
    const transport = handTransport(() => {
      throw new Error("EPIPE");
    });
    const session = new KclProcess({ processRecords() {} }, {
      transport,
      log: (level, message) => void (level === "error" && errors.push(message)),
    });
    const result = session.run();
    transport.send(initializeMessage());
    const ended = await result;
    assert.equal(ended.exitCode, 1);
    assert.match(ended.error?.message ?? "", /^Cannot write a reply to the daemon: EPIPE/);
    // The daemon's side ends later, with an error of its own: the session's first failure stands, logged once.
    transport.end(new Error("stdin closed"));
    transport.end();
    assert.deepEqual(errors, [ended.error?.message]);
  });

  it("rejects a checkpoint whose write throws at once, naming the write", async () => {
    const transport = handTransport((line) => {
      if (line.includes('"checkpoint"')) throw new Error("EPIPE");
    });
    let checkpointError: unknown;
    const processor: RecordProcessor = {
      async processRecords({ checkpointer }) {
        checkpointError = await checkpointer.checkpoint().then(() => undefined, (error: unknown) => error);
      },
    };
    const session = new KclProcess(processor, { transport, log: () => {} });
    const result = session.run();
    transport.send(initializeMessage());
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"initialize"')));
    transport.send(processRecordsMessage([wireRecord("1")]));
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"processRecords"')));
    assert.match(String(checkpointError), /^Error: Cannot write a reply to the daemon: EPIPE/);
    // The processor handled it: the session goes on.
    transport.send({ action: "leaseLost" });
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"leaseLost"')));
    transport.end();
    assert.equal((await result).exitCode, 0);
  });

  it("keeps a checkpoint answered when its write fails only after the reply arrived", async () => {
    let failWrite: (error: Error) => void = () => {};
    const transport = handTransport((line) => {
      if (!line.includes('"checkpoint"')) return;
      return new Promise<void>((_, reject) => failWrite = reject);
    });
    let checkpointed = false;
    const processor: RecordProcessor = {
      async processRecords({ checkpointer }) {
        await checkpointer.checkpoint();
        checkpointed = true;
      },
    };
    const session = new KclProcess(processor, { transport, log: () => {} });
    const result = session.run();
    transport.send(initializeMessage());
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"initialize"')));
    transport.send(processRecordsMessage([wireRecord("1")]));
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"checkpoint"')));
    transport.send({ action: "checkpoint", sequenceNumber: "1", subSequenceNumber: 0 });
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"processRecords"')));
    assert.equal(checkpointed, true);
    // The write's late failure belongs to a request that is settled: it neither rejects it again nor ends the session.
    failWrite(new Error("late EPIPE"));
    transport.send({ action: "leaseLost" });
    await untilWritten(transport, (lines) => lines.some((line) => line.includes('"responseFor":"leaseLost"')));
    transport.end();
    const ended = await result;
    assert.equal(ended.exitCode, 0);
    assert.equal(ended.error, null);
  });
});

describe("createLogger and isLogLevel", () => {
  it("refuses an unknown level, naming it", () => {
    assert.throws(() => createLogger(() => {}, { level: "loud" as never }), /Cannot create logger: unknown level loud/);
  });

  it("leaves out fields whose value is undefined", () => {
    const lines: string[] = [];
    createLogger((line) => lines.push(line), { now: () => new Date(0) })("info", "Flushed", {
      records: 3,
      key: undefined,
    });
    assert.deepEqual(lines, ["1970-01-01T00:00:00.000Z INFO kcl: Flushed records=3\n"]);
  });

  it("knows the levels KCL_LOG_LEVEL may name", () => {
    assert.deepEqual(
      ["debug", "info", "warn", "error", "silent", "loud", "", 1, undefined].map(isLogLevel),
      [true, true, true, true, true, false, false, false, false],
    );
  });
});

describe("describeError", () => {
  it("stops at a cause that points back into the chain", () => {
    const first = new Error("Cannot flush");
    const second = new Error("socket hang up", { cause: first });
    (first as { cause?: unknown }).cause = second;
    assert.equal(describeError(first), "Cannot flush: socket hang up");
  });
});
