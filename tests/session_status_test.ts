import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  KclProcess,
  type KinesisRecord,
  type LineListener,
  ProtocolError,
  type RecordProcessor,
  type SessionTransport,
} from "../mod.ts";
import {
  initializeMessage,
  processRecordsMessage,
  SessionDaemon,
  type Signal,
  signal,
  wireRecord,
} from "./support/session_daemon.ts";
import { TRANSPORT_KINDS } from "./support/memory_transports.ts";
import { streamOf } from "./support/line_input.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function protocolError(result: { exitCode: number; error: Error | null }, kind: string): ProtocolError {
  assert.equal(result.exitCode, 1);
  assert.ok(result.error instanceof ProtocolError, `expected a ProtocolError, got ${result.error}`);
  assert.equal(result.error.kind, kind, result.error.message);
  return result.error;
}

/** A session whose processRecords handler has started on one record and waits for `release`. */
async function heldBatch(
  start: ReturnType<typeof SessionDaemon.over>,
): Promise<{ daemon: SessionDaemon; release: Signal }> {
  const release = signal();
  const entered = signal();
  const daemon = start({
    async processRecords() {
      entered.resolve();
      await release.promise;
    },
  });
  await daemon.action(initializeMessage());
  await daemon.send(JSON.stringify(processRecordsMessage([wireRecord("1")])));
  await entered.promise;
  return { daemon, release };
}

for (const transport of TRANSPORT_KINDS) {
  const start = SessionDaemon.over(transport);

  const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;

  describe(`KclProcess: one status per action (${transport} transport)`, () => {
    it("answers each action of a shard's life with exactly one status, and ends cleanly on EOF", async () => {
      const calls: string[] = [];
      const daemon = start({
        initialize: ({ shardId }) => void calls.push(`initialize ${shardId}`),
        processRecords: ({ records }) => void calls.push(`processRecords ${records.length}`),
        shutdownRequested: () => void calls.push("shutdownRequested"),
        leaseLost: () => void calls.push("leaseLost"),
      });
      for (
        const [message, name] of [
          [initializeMessage(), "initialize"],
          [processRecordsMessage([wireRecord("1"), wireRecord("2")]), "processRecords"],
          [processRecordsMessage([], null), "processRecords"],
          [{ action: "shutdownRequested" }, "shutdownRequested"],
          [{ action: "leaseLost" }, "leaseLost"],
        ] as const
      ) {
        const outcome = await daemon.action(message);
        // shutdownRequested with no handler checkpoint: nothing but the status.
        assert.deepEqual(outcome.lines, [status(name)], name);
      }
      const result = await daemon.end();
      assert.deepEqual(result, { exitCode: 0, shardId: "shardId-000000000000", lastAction: "leaseLost", error: null });
      assert.deepEqual(daemon.written, [
        status("initialize"),
        status("processRecords"),
        status("processRecords"),
        status("shutdownRequested"),
        status("leaseLost"),
      ]);
      assert.deepEqual(calls, [
        "initialize shardId-000000000000",
        "processRecords 2",
        "processRecords 0",
        "shutdownRequested",
        "leaseLost",
      ]);
    });

    it("sends the status only after an async handler settled", async () => {
      const { daemon, release } = await heldBatch(start);
      await daemon.barrier();
      assert.deepEqual(daemon.unread, [], "no status while the handler is pending");
      release.resolve();
      assert.equal(await daemon.nextLine(), status("processRecords"));
      // Nothing more for that action: the next line is the next action's status.
      assert.deepEqual((await daemon.action({ action: "leaseLost" })).lines, [status("leaseLost")]);
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("sends the status only after a checkpoint the handler started without awaiting was answered", async () => {
      const settled = signal();
      let checkpointResult: string | undefined;
      const daemon = start({
        processRecords({ checkpointer }) {
          checkpointer.checkpoint().then(
            () => (checkpointResult = "resolved"),
            (error) => (checkpointResult = String(error)),
          );
          settled.resolve();
        },
      });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action(processRecordsMessage([wireRecord("5")]), async () => {
        await settled.promise;
        await daemon.barrier();
        assert.deepEqual(daemon.unread, [], "the status was sent before the checkpoint reply");
        return null;
      });
      assert.deepEqual(outcome.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null }]);
      assert.equal(outcome.lines.at(-1), status("processRecords"));
      assert.equal(checkpointResult, "resolved");
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("answers a synchronous handler too, and the default processor methods are optional", async () => {
      const daemon = start({ processRecords() {} });
      for (const action of ["initialize", "processRecords", "shardEnded"]) {
        const message = action === "initialize"
          ? initializeMessage()
          : action === "processRecords"
          ? processRecordsMessage([])
          : { action };
        assert.equal((await daemon.action(message)).responseFor, action);
      }
      assert.equal((await daemon.end()).exitCode, 0);
    });
  });

  describe(`KclProcess: records (${transport} transport)`, () => {
    it("delivers each record's fields, millisBehindLatest and the initialize position", async () => {
      const seen: { records: readonly KinesisRecord[]; millisBehindLatest: number | null }[] = [];
      let init: unknown;
      const daemon = start({
        initialize: (input) => void (init = input),
        processRecords: ({ records, millisBehindLatest }) => void seen.push({ records, millisBehindLatest }),
      });
      await daemon.action(initializeMessage("shardId-000000000007", "4242"));
      assert.deepEqual(init, { shardId: "shardId-000000000007", sequenceNumber: "4242", subSequenceNumber: 0 });
      const seq = "49590338271490256608559692538361571095921575989136588898";
      await daemon.action(processRecordsMessage([
        wireRecord(seq, "héllo 😀"),
        wireRecord(seq, Uint8Array.of(0, 255, 1), { subSequenceNumber: 3, partitionKey: null }),
        wireRecord("7", '{"n":7}', { subSequenceNumber: null, approximateArrivalTimestamp: null, data: null }),
      ], 1234));
      const [batch] = seen;
      assert.ok(batch);
      assert.equal(batch.millisBehindLatest, 1234);
      const [a, b, c] = batch.records;
      assert.ok(a && b && c && batch.records.length === 3);
      assert.equal(a.sequenceNumber, seq);
      assert.equal(a.subSequenceNumber, 0);
      assert.equal(a.partitionKey, `pk-${seq}`);
      assert.ok(a.approximateArrivalTimestamp instanceof Date);
      assert.equal(a.approximateArrivalTimestamp.getTime(), 1700000000123);
      assert.equal(a.text(), "héllo 😀");
      assert.equal(b.subSequenceNumber, 3);
      assert.equal(b.partitionKey, null);
      assert.deepEqual(b.data, Uint8Array.of(0, 255, 1));
      assert.equal(c.subSequenceNumber, 0, "a KCL 1.x null subSequenceNumber reads as 0");
      assert.equal(c.approximateArrivalTimestamp, null);
      assert.equal(c.data.length, 0);
      await daemon.action(processRecordsMessage([], null));
      assert.equal(seen[1]?.millisBehindLatest, null);
      assert.equal(seen[1]?.records.length, 0);
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("works end to end over CRLF input, with actions split across writes", async () => {
      const calls: string[] = [];
      const daemon = start({
        processRecords: ({ records }) => void calls.push(records.map((r) => r.text()).join(",")),
      });
      await daemon.send(JSON.stringify(initializeMessage()), "\r\n");
      assert.equal(await daemon.nextLine(), status("initialize"));
      const line = JSON.stringify(processRecordsMessage([wireRecord("1", "é"), wireRecord("2", "😀")])) + "\r\n";
      const bytes = encoder.encode(line);
      // Cut inside the 4-byte emoji's base64 is ASCII; cut between \r and \n as well.
      await daemon.sendBytes(bytes.subarray(0, 17));
      await daemon.sendBytes(bytes.subarray(17, bytes.length - 1));
      await daemon.sendBytes(bytes.subarray(bytes.length - 1));
      assert.equal(await daemon.nextLine(), status("processRecords"));
      await daemon.send('{"action":"leaseLost"}', "\r\n");
      assert.equal(await daemon.nextLine(), status("leaseLost"));
      assert.equal((await daemon.end()).exitCode, 0);
      assert.deepEqual(calls, ["é,😀"]);
    });

    it("delivers a 20 MB processRecords line written in odd-sized chunks", async () => {
      const payloads: string[] = [];
      const daemon = start({
        processRecords: ({ records }) => void payloads.push(...records.map((r) => r.text())),
      });
      await daemon.action(initializeMessage());
      const records = Array.from({ length: 20 }, (_, i) => wireRecord(String(i + 1), `${i}é`.repeat(380_000)));
      const bytes = encoder.encode(JSON.stringify(processRecordsMessage(records)) + "\r\n");
      assert.ok(bytes.length > 20_000_000);
      for (let at = 0, size = 1; at < bytes.length; at += size, size = size * 7 % 1_000_003) {
        await daemon.sendBytes(bytes.subarray(at, at + size));
      }
      assert.equal(await daemon.nextLine(), status("processRecords"));
      assert.equal(payloads.length, 20);
      payloads.forEach((text, i) => assert.ok(text === `${i}é`.repeat(380_000), `record ${i + 1}`));
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("skips empty lines between actions", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.send("");
      await daemon.send("\r");
      await daemon.action(initializeMessage());
      const result = await daemon.end();
      assert.equal(result.exitCode, 0);
      assert.deepEqual(daemon.logs.filter((e) => e.level === "warn"), []);
    });
  });

  describe(`KclProcess: unexpected input (${transport} transport)`, () => {
    it("answers an unknown action with a status for its name and logs a warning", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.action(initializeMessage());
      const outcome = await daemon.action({ action: "rebalanceSoon", detail: { x: 1 } });
      assert.deepEqual(outcome.lines, [status("rebalanceSoon")]);
      const warning = daemon.logs.find((e) => e.level === "warn");
      assert.ok(warning, "a warning");
      assert.equal(warning.fields?.action, "rebalanceSoon");
      assert.equal(warning.fields?.shardId, "shardId-000000000000");
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("skips a line that is not JSON with a clipped copy in a warning, and continues", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.action(initializeMessage());
      const junk = "Picked up JAVA_TOOL_OPTIONS: " + "x".repeat(500);
      await daemon.send(junk);
      await daemon.send("[1,2]");
      const outcome = await daemon.action(processRecordsMessage([wireRecord("1")]));
      assert.deepEqual(outcome.lines, [status("processRecords")]);
      const warnings = daemon.logs.filter((e) => e.level === "warn");
      assert.equal(warnings.length, 2);
      assert.equal(warnings[0]?.fields?.line, `${junk.slice(0, 200)}… (${junk.length - 200} more characters)`);
      assert.equal(warnings[1]?.fields?.line, "[1,2]");
      assert.equal((await daemon.end()).exitCode, 0);
    });

    it("fails with invalid-message on a known action with a mistyped field", async () => {
      let called = false;
      const daemon = start({ processRecords: () => void (called = true) });
      await daemon.action(initializeMessage());
      await daemon.send('{"action":"processRecords","records":[{"sequenceNumber":12}],"millisBehindLatest":0}');
      const error = protocolError(await daemon.result, "invalid-message");
      assert.match(error.message, /processRecords\.records\[0\]\.sequenceNumber/);
      assert.equal(called, false);
      assert.deepEqual(daemon.written, [status("initialize")], "no status for the malformed action");
      assert.ok(daemon.logs.some((e) => e.level === "error" && e.message === error.message));
    });

    it("fails with invalid-message on an initialize without shardId", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.send('{"action":"initialize","sequenceNumber":"LATEST","subSequenceNumber":null}');
      protocolError(await daemon.result, "invalid-message");
      assert.deepEqual(daemon.written, []);
    });

    it("fails with unexpected-message when a second action arrives while one is in flight", async () => {
      const { daemon, release } = await heldBatch(start);
      await daemon.send('{"action":"leaseLost"}');
      const error = protocolError(await daemon.result, "unexpected-message");
      assert.match(error.message, /leaseLost/);
      assert.match(error.message, /processRecords/);
      release.resolve();
      // The session has ended: no later event of its own exists. The handler's settlement would be answered within
      // microtasks; a timer turn covers them, and the end of the input (a no-op now) one more.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await daemon.end();
      assert.deepEqual(daemon.written, [status("initialize")], "no status after the failure");
    });

    it("fails with unexpected-message on a checkpoint reply with nothing pending", async () => {
      const daemon = start({ processRecords() {} });
      await daemon.action(initializeMessage());
      await daemon.send('{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0,"error":null}');
      const error = protocolError(await daemon.result, "unexpected-message");
      assert.match(error.message, /no checkpoint request is pending/);
    });

    it("fails with line-too-long on a line over maxLineLength", async () => {
      const daemon = start({ processRecords() {} }, { maxLineLength: 1000 });
      await daemon.action(initializeMessage());
      const line = JSON.stringify(processRecordsMessage([wireRecord("1", "x".repeat(2000))]));
      daemon.send(line).catch(() => {}); // the session may stop reading mid-line
      const error = protocolError(await daemon.result, "line-too-long");
      assert.match(error.message, /1000/);
    });

    it("fails with line-too-long as soon as an unfinished line grows past maxLineLength", async () => {
      const daemon = start({ processRecords() {} }, { maxLineLength: 1000 });
      await daemon.action(initializeMessage());
      // No line break, and the input stays open: only the transport's splitter, holding the cap, can see it.
      daemon.send('{"action":"processRecords","records":[' + " ".repeat(5000), "").catch(() => {});
      const error = protocolError(await daemon.result, "line-too-long");
      assert.match(error.message, /maximum length of 1000 characters/);
    });

    it("accepts a line of exactly maxLineLength", async () => {
      const probe = JSON.stringify(processRecordsMessage([wireRecord("1", "")]));
      const daemon = start({ processRecords() {} }, { maxLineLength: probe.length });
      await daemon.action(initializeMessage());
      assert.equal((await daemon.action(probe)).responseFor, "processRecords");
      assert.equal((await daemon.end()).exitCode, 0);
    });
  });

  describe(`KclProcess: end of input and failures (${transport} transport)`, () => {
    it("ends with exit code 0 when stdin closes between actions, even before initialize", async () => {
      const daemon = start({ processRecords() {} });
      assert.deepEqual(await daemon.end(), { exitCode: 0, shardId: null, lastAction: null, error: null });
    });

    it("ends with exit code 1 when stdin closes mid-action, though the handler never settles", async () => {
      const entered = signal();
      const daemon = start({
        processRecords() {
          entered.resolve();
          return new Promise<void>(() => {});
        },
      });
      await daemon.action(initializeMessage());
      await daemon.send(JSON.stringify(processRecordsMessage([wireRecord("1")])));
      await entered.promise;
      const result = await daemon.end();
      assert.equal(result.exitCode, 1);
      assert.match(result.error?.message ?? "", /^Cannot finish processRecords: the daemon closed the input/);
      assert.equal(result.lastAction, "initialize");
    });

    it("ends with exit code 1 and no status when initialize throws", async () => {
      const daemon = start({
        initialize() {
          throw new Error("no database");
        },
        processRecords() {},
      });
      await daemon.send(JSON.stringify(initializeMessage("shardId-9")));
      const result = await daemon.result;
      assert.equal(result.exitCode, 1);
      assert.equal(result.shardId, "shardId-9");
      assert.match(result.error?.message ?? "", /^Cannot initialize shard shardId-9: no database/);
      assert.deepEqual(daemon.written, []);
    });

    it("ends with exit code 1, without hanging, when the output stream fails", async () => {
      const input = new TransformStream<Uint8Array, Uint8Array>();
      const output = new WritableStream<Uint8Array>({
        write() {
          throw new Error("EPIPE");
        },
      });
      const session = new KclProcess({ processRecords() {} }, { input: input.readable, output });
      const result = session.run();
      const writer = input.writable.getWriter();
      await writer.write(encoder.encode(JSON.stringify(initializeMessage()) + "\n"));
      const ended = await result;
      assert.equal(ended.exitCode, 1);
      assert.match(ended.error?.message ?? "", /^Cannot write a reply to the daemon: EPIPE/);
    });

    it("rejects a checkpoint whose write fails, and ends with exit code 1", async () => {
      const input = new TransformStream<Uint8Array, Uint8Array>();
      let writes = 0;
      const output = new WritableStream<Uint8Array>({
        write() {
          if (++writes > 1) throw new Error("EPIPE");
        },
      });
      let checkpointError: unknown;
      const processor: RecordProcessor = {
        async processRecords({ checkpointer }) {
          await checkpointer.checkpoint().catch((error) => {
            checkpointError = error;
            throw error;
          });
        },
      };
      const session = new KclProcess(processor, { input: input.readable, output });
      const result = session.run();
      const writer = input.writable.getWriter();
      await writer.write(encoder.encode(JSON.stringify(initializeMessage()) + "\n"));
      await writer.write(encoder.encode(JSON.stringify(processRecordsMessage([wireRecord("1")])) + "\n"));
      const ended = await result;
      assert.equal(ended.exitCode, 1);
      assert.match(String(checkpointError), /EPIPE/);
    });

    it("ends with exit code 1 and closes the output when the input cannot be read", async () => {
      const input = streamOf<Uint8Array>([]);
      input.getReader(); // locked: reading it throws
      let closed = false;
      const output = new WritableStream<Uint8Array>({
        close() {
          closed = true;
        },
      });
      const ended = await new KclProcess({ processRecords() {} }, { input, output }).run();
      assert.equal(ended.exitCode, 1);
      assert.match(ended.error?.message ?? "", /^Cannot read the daemon's input: .*locked/);
      assert.equal(closed, true);
    });

    it("goes on when its log function throws", async () => {
      const lines = JSON.stringify(initializeMessage()) + "\nnot json\n";
      const written: string[] = [];
      const output = new WritableStream<Uint8Array>({ write: (chunk) => void written.push(decoder.decode(chunk)) });
      const log = () => {
        throw new Error("the log is broken");
      };
      const session = new KclProcess({ processRecords() {} }, {
        input: streamOf([encoder.encode(lines)]),
        output,
        log,
      });
      const ended = await session.run();
      assert.equal(ended.exitCode, 0);
      assert.deepEqual(written, [status("initialize") + "\n"]);
    });

    it("cannot run twice", async () => {
      const session = new KclProcess({ processRecords() {} }, {
        input: streamOf<Uint8Array>([]),
        output: new WritableStream(),
      });
      assert.equal((await session.run()).exitCode, 0);
      await assert.rejects(session.run(), /Cannot run a KclProcess twice/);
    });

    it("refuses a transport together with streams, naming what to pass", () => {
      const transport = { read: () => () => {}, writeLine() {}, close: () => Promise.resolve() };
      for (const extra of [{ input: streamOf<Uint8Array>([]) }, { output: new WritableStream<Uint8Array>() }]) {
        assert.throws(
          () => new KclProcess({ processRecords() {} }, { transport, ...extra }),
          /pass either a transport, or an input and an output stream/,
        );
      }
    });

    it("refuses a processor without processRecords", () => {
      assert.throws(
        () =>
          new KclProcess({} as RecordProcessor, {
            input: streamOf<Uint8Array>([]),
            output: new WritableStream(),
          }),
        /no processRecords method/,
      );
    });
  });
}

describe("KclProcess over a transport of the user's own", () => {
  /**
   * A transport over an array of lines that splits nothing itself: it
   * delivers each line whole, the next one after each line the session
   * writes (as the daemon answers a checkpoint request or sends the next
   * action), and records what the session did.
   */
  function arrayTransport(lines: string[]) {
    const events: string[] = [];
    let listener: LineListener | undefined;
    const next = () => {
      const line = lines.shift();
      if (line === undefined) listener?.end();
      else listener?.line(line);
    };
    const transport: SessionTransport = {
      read(given) {
        listener = given;
        events.push(`read with maxLineLength ${given.maxLineLength}`);
        queueMicrotask(next);
        return () => {};
      },
      writeLine(line) {
        events.push(line.trim());
        queueMicrotask(next);
      },
      actionAnswered: () => void events.push("actionAnswered"),
      close: () => Promise.resolve(),
    };
    return { transport, events };
  }
  const status = (action: string) => `{"action":"status","responseFor":"${action}"}`;

  it("enforces maxLineLength on the lines it delivers, and tells it the cap", async () => {
    const long = JSON.stringify(processRecordsMessage([wireRecord("1", "x".repeat(2000))]));
    const { transport, events } = arrayTransport([JSON.stringify(initializeMessage()), long]);
    const result = await new KclProcess({ processRecords() {} }, { transport, maxLineLength: 1000 }).run();
    const error = protocolError(result, "line-too-long");
    assert.equal(error.message, "Cannot read daemon message: a line exceeds the maximum length of 1000 characters");
    assert.deepEqual(events, ["read with maxLineLength 1000", status("initialize"), "actionAnswered"]);
  });

  it("calls actionAnswered right after each status, and after no other line", async () => {
    const { transport, events } = arrayTransport([
      JSON.stringify(initializeMessage()),
      JSON.stringify(processRecordsMessage([wireRecord("1")])),
      '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0,"error":null}',
      JSON.stringify({ action: "leaseLost" }),
    ]);
    const processor: RecordProcessor = {
      async processRecords({ records, checkpointer }) {
        await checkpointer.checkpoint(records[0]!);
      },
    };
    const result = await new KclProcess(processor, { transport }).run();
    assert.equal(result.exitCode, 0, result.error?.message);
    assert.deepEqual(events.slice(1), [
      status("initialize"),
      "actionAnswered",
      '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":0}',
      status("processRecords"),
      "actionAnswered",
      status("leaseLost"),
      "actionAnswered",
    ]);
  });
});
