import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clipLine } from "../src/protocol/protocol_error.ts";
import {
  encodeCheckpoint,
  encodeStatus,
  parseMessage,
  ProtocolError,
  type ProtocolErrorKind,
} from "../src/protocol/mod.ts";

const SEQ = "49590338271490256608559692538361571095921575989136588898";

/** The "Exact lines seen from the real protocol code" of PROTOCOL.md, with what each must parse to. */
const EXACT_LINES: [string, unknown][] = [
  [
    '{"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
    { action: "initialize", shardId: "shardId-000000000000", sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
  ],
  [
    `{"action":"processRecords","records":[{"data":"aGVsbG8=","partitionKey":"pk-1","sequenceNumber":"${SEQ}","approximateArrivalTimestamp":1700000000123,"subSequenceNumber":0,"action":"record"}],"millisBehindLatest":0}`,
    {
      action: "processRecords",
      records: [{
        data: "aGVsbG8=",
        partitionKey: "pk-1",
        sequenceNumber: SEQ,
        approximateArrivalTimestamp: 1700000000123,
        subSequenceNumber: 0,
        action: "record",
      }],
      millisBehindLatest: 0,
    },
  ],
  [
    '{"action":"processRecords","records":[],"millisBehindLatest":null}',
    { action: "processRecords", records: [], millisBehindLatest: null },
  ],
  [
    `{"action":"checkpoint","sequenceNumber":"${SEQ}","subSequenceNumber":0,"error":null}`,
    { action: "checkpoint", sequenceNumber: SEQ, subSequenceNumber: 0, error: null },
  ],
  [
    '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"ThrottlingException"}',
    { action: "checkpoint", sequenceNumber: null, subSequenceNumber: null, error: "ThrottlingException" },
  ],
  ['{"action":"shardEnded"}', { action: "shardEnded" }],
  ['{"action":"shutdownRequested"}', { action: "shutdownRequested" }],
  ['{"action":"leaseLost"}', { action: "leaseLost" }],
];

function protocolError(kind: ProtocolErrorKind, ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, /^Cannot parse daemon message: /);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${fragment}" in: ${error.message}`);
    return true;
  };
}

/** Reverses the key order of an object (and of each record), to show order does not matter. */
function reversed(value: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(value).reverse().map(([key, field]) => {
    if (key === "records" && Array.isArray(field)) return [key, field.map((r) => reversed(r))] as const;
    return [key, field] as const;
  });
  return Object.fromEntries(entries);
}

describe("parseMessage", () => {
  describe("the exact lines of PROTOCOL.md", () => {
    for (const [line, expected] of EXACT_LINES) {
      it(line.length > 70 ? `${line.slice(0, 70)}…` : line, () => {
        assert.deepEqual(parseMessage(line), expected);
      });
    }

    it("parses each exact line with its keys in reverse order, to the same message", () => {
      for (const [line, expected] of EXACT_LINES) {
        assert.deepEqual(parseMessage(JSON.stringify(reversed(JSON.parse(line)))), expected, line);
      }
    });

    it("parses each exact line with unknown keys added, ignoring them", () => {
      for (const [line, expected] of EXACT_LINES) {
        const value = JSON.parse(line);
        value.futureField = { nested: [1, 2] };
        if (Array.isArray(value.records)) { for (const record of value.records) record.futureRecordField = "x"; }
        const message = parseMessage(JSON.stringify(value)) as unknown as Record<string, unknown>;
        assert.equal(message.futureField, undefined, line);
        assert.equal(message.action, (expected as { action: string }).action);
        for (const [key, field] of Object.entries(expected as object)) {
          if (key !== "records") assert.deepEqual(message[key], field, `${line}: ${key}`);
        }
      }
    });
  });

  it("parses a 129-digit sequence number and an initialize checkpoint of digits", () => {
    const seq = "9".repeat(129);
    assert.deepEqual(
      parseMessage(JSON.stringify({ action: "initialize", shardId: "s", sequenceNumber: seq, subSequenceNumber: 3 })),
      { action: "initialize", shardId: "s", sequenceNumber: seq, subSequenceNumber: 3 },
    );
    const message = parseMessage(
      JSON.stringify({ action: "processRecords", records: [{ sequenceNumber: seq }], millisBehindLatest: 5 }),
    );
    assert.equal(message.action === "processRecords" && message.records[0]?.sequenceNumber, seq);
  });

  it("accepts every sentinel and null as the initialize sequence number", () => {
    for (const sequenceNumber of ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "SHARD_END", null]) {
      const line = JSON.stringify({ action: "initialize", shardId: "s", sequenceNumber, subSequenceNumber: null });
      assert.deepEqual(parseMessage(line), {
        action: "initialize",
        shardId: "s",
        sequenceNumber,
        subSequenceNumber: null,
      });
    }
  });

  it("turns absent nullable fields into null", () => {
    assert.deepEqual(parseMessage('{"action":"initialize","shardId":"s"}'), {
      action: "initialize",
      shardId: "s",
      sequenceNumber: null,
      subSequenceNumber: null,
    });
    assert.deepEqual(parseMessage('{"action":"processRecords","records":[{"sequenceNumber":"1"}]}'), {
      action: "processRecords",
      records: [{
        sequenceNumber: "1",
        data: null,
        partitionKey: null,
        subSequenceNumber: null,
        approximateArrivalTimestamp: null,
      }],
      millisBehindLatest: null,
    });
    assert.deepEqual(parseMessage('{"action":"checkpoint"}'), {
      action: "checkpoint",
      sequenceNumber: null,
      subSequenceNumber: null,
      error: null,
    });
  });

  it("accepts KCL 1.x records with subSequenceNumber null and null data and partition key", () => {
    const record = {
      data: null,
      partitionKey: null,
      sequenceNumber: "12",
      approximateArrivalTimestamp: null,
      subSequenceNumber: null,
    };
    const message = parseMessage(
      JSON.stringify({ action: "processRecords", records: [record], millisBehindLatest: null }),
    );
    assert.deepEqual(message, { action: "processRecords", records: [record], millisBehindLatest: null });
  });

  it("parses KCL 1.x shutdown with each reason", () => {
    for (const reason of ["TERMINATE", "ZOMBIE", "REQUESTED"]) {
      assert.deepEqual(parseMessage(`{"action":"shutdown","reason":"${reason}"}`), { action: "shutdown", reason });
    }
  });

  it("rejects a shutdown with an unknown or missing reason", () => {
    assert.throws(
      () => parseMessage('{"action":"shutdown","reason":"LATER"}'),
      protocolError("invalid-message", "shutdown.reason", "TERMINATE, ZOMBIE or REQUESTED", '"LATER"'),
    );
    assert.throws(
      () => parseMessage('{"action":"shutdown"}'),
      protocolError("invalid-message", "shutdown.reason must be a string", "nothing"),
    );
    assert.throws(
      () => parseMessage('{"action":"shutdown","reason":1}'),
      protocolError("invalid-message", "shutdown.reason must be a string", "1"),
    );
  });

  it("answers an unknown action with its name", () => {
    assert.deepEqual(parseMessage('{"action":"rebalance","x":1}'), { action: "unknown", name: "rebalance" });
    assert.deepEqual(parseMessage('{"action":""}'), { action: "unknown", name: "" });
  });

  it("treats the names of Object.prototype members as unknown actions", () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      assert.deepEqual(parseMessage(JSON.stringify({ action: name })), { action: "unknown", name }, name);
    }
  });

  describe("mistyped fields", () => {
    const record = { data: "", partitionKey: "p", sequenceNumber: "1", subSequenceNumber: 0 };
    const records = (override: Record<string, unknown>) =>
      JSON.stringify({
        action: "processRecords",
        records: [record, { ...record, ...override }],
        millisBehindLatest: 0,
      });
    const cases: [string, string, string][] = [
      ["initialize.shardId absent", '{"action":"initialize","sequenceNumber":null}', "initialize.shardId"],
      ["initialize.shardId null", '{"action":"initialize","shardId":null}', "initialize.shardId"],
      ["initialize.shardId number", '{"action":"initialize","shardId":7}', "initialize.shardId"],
      [
        "initialize.sequenceNumber number",
        '{"action":"initialize","shardId":"s","sequenceNumber":1}',
        "initialize.sequenceNumber",
      ],
      [
        "initialize.subSequenceNumber string",
        '{"action":"initialize","shardId":"s","subSequenceNumber":"0"}',
        "initialize.subSequenceNumber",
      ],
      [
        "initialize.subSequenceNumber fraction",
        '{"action":"initialize","shardId":"s","subSequenceNumber":0.5}',
        "initialize.subSequenceNumber",
      ],
      ["processRecords.records absent", '{"action":"processRecords","millisBehindLatest":0}', "processRecords.records"],
      ["processRecords.records null", '{"action":"processRecords","records":null}', "processRecords.records"],
      ["processRecords.records object", '{"action":"processRecords","records":{}}', "processRecords.records"],
      [
        "processRecords.millisBehindLatest string",
        '{"action":"processRecords","records":[],"millisBehindLatest":"0"}',
        "processRecords.millisBehindLatest",
      ],
      [
        "processRecords.millisBehindLatest fraction",
        '{"action":"processRecords","records":[],"millisBehindLatest":1.5}',
        "processRecords.millisBehindLatest",
      ],
      ["a record that is not an object", '{"action":"processRecords","records":[1]}', "processRecords.records[0]"],
      ["a record that is null", '{"action":"processRecords","records":[null]}', "processRecords.records[0]"],
      ["a record that is an array", '{"action":"processRecords","records":[[]]}', "processRecords.records[0]"],
      [
        "record sequenceNumber absent",
        records({ sequenceNumber: undefined }),
        "processRecords.records[1].sequenceNumber",
      ],
      ["record sequenceNumber null", records({ sequenceNumber: null }), "processRecords.records[1].sequenceNumber"],
      ["record sequenceNumber number", records({ sequenceNumber: 12 }), "processRecords.records[1].sequenceNumber"],
      [
        "record sequenceNumber not digits",
        records({ sequenceNumber: "12a" }),
        "processRecords.records[1].sequenceNumber",
      ],
      [
        "record sequenceNumber sentinel",
        records({ sequenceNumber: "LATEST" }),
        "processRecords.records[1].sequenceNumber",
      ],
      ["record sequenceNumber empty", records({ sequenceNumber: "" }), "processRecords.records[1].sequenceNumber"],
      ["record data number", records({ data: 5 }), "processRecords.records[1].data"],
      ["record partitionKey object", records({ partitionKey: {} }), "processRecords.records[1].partitionKey"],
      [
        "record subSequenceNumber string",
        records({ subSequenceNumber: "0" }),
        "processRecords.records[1].subSequenceNumber",
      ],
      [
        "record subSequenceNumber unsafe",
        records({ subSequenceNumber: 2 ** 60 }),
        "processRecords.records[1].subSequenceNumber",
      ],
      [
        "record approximateArrivalTimestamp string",
        records({ approximateArrivalTimestamp: "2024-01-01" }),
        "processRecords.records[1].approximateArrivalTimestamp",
      ],
      ["checkpoint.sequenceNumber number", '{"action":"checkpoint","sequenceNumber":5}', "checkpoint.sequenceNumber"],
      [
        "checkpoint.subSequenceNumber bool",
        '{"action":"checkpoint","subSequenceNumber":true}',
        "checkpoint.subSequenceNumber",
      ],
      ["checkpoint.error object", '{"action":"checkpoint","error":{"name":"X"}}', "checkpoint.error"],
    ];
    for (const [name, line, field] of cases) {
      it(`${name} → invalid-message naming ${field}`, () => {
        assert.throws(() => parseMessage(line), protocolError("invalid-message", `${field} must be`));
        assert.throws(() => parseMessage(line), (error: ProtocolError) => error.line === clipLine(line));
      });
    }
  });

  describe("lines that are not messages", () => {
    const cases: [string, string][] = [
      ["not JSON", "hello"],
      ["truncated JSON", '{"action":"leaseLost"'],
      ["an empty line", ""],
      ["a JSON string", '"leaseLost"'],
      ["a JSON number", "42"],
      ["JSON null", "null"],
      ["a JSON array", '[{"action":"leaseLost"}]'],
      ["an object without action", '{"shardId":"s"}'],
      ["an object with a non-string action", '{"action":5}'],
      ["an object with a null action", '{"action":null}'],
    ];
    for (const [name, line] of cases) {
      it(`${name} → not-a-message`, () => {
        assert.throws(() => parseMessage(line), protocolError("not-a-message"));
      });
    }

    it("clips a long non-JSON line in the error", () => {
      const line = "z".repeat(5000);
      try {
        parseMessage(line);
        assert.fail("expected not-a-message");
      } catch (error) {
        assert.ok(error instanceof ProtocolError);
        assert.equal(error.line, `${"z".repeat(200)}… (4800 more characters)`);
      }
    });
  });
});

describe("encodeStatus and encodeCheckpoint", () => {
  it("encode the exact status line for each action", () => {
    for (const action of ["initialize", "processRecords", "leaseLost", "shardEnded", "shutdownRequested", "shutdown"]) {
      assert.equal(encodeStatus(action), `{"action":"status","responseFor":"${action}"}\n`);
    }
  });

  it("escapes an unknown action's name so the line stays one JSON object", () => {
    const name = 'odd "name"\n\u2028';
    const line = encodeStatus(name);
    assert.equal(line.indexOf("\n"), line.length - 1);
    assert.deepEqual(JSON.parse(line), { action: "status", responseFor: name });
  });

  it("encode the exact checkpoint lines", () => {
    assert.equal(
      encodeCheckpoint(SEQ, 0),
      `{"action":"checkpoint","sequenceNumber":"${SEQ}","subSequenceNumber":0}\n`,
    );
    assert.equal(encodeCheckpoint("7", 12), '{"action":"checkpoint","sequenceNumber":"7","subSequenceNumber":12}\n');
    assert.equal(
      encodeCheckpoint(null, null),
      '{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}\n',
    );
  });

  it("produce one line with exactly the key sets the daemon accepts", () => {
    const status = JSON.parse(encodeStatus("processRecords"));
    assert.deepEqual(Object.keys(status), ["action", "responseFor"]);
    for (const [seq, sub] of [[SEQ, 3], [null, null], ["1", 0]] as const) {
      const line = encodeCheckpoint(seq, sub);
      assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1);
      const value = JSON.parse(line);
      assert.deepEqual(Object.keys(value), ["action", "sequenceNumber", "subSequenceNumber"]);
      assert.deepEqual(value, { action: "checkpoint", sequenceNumber: seq, subSequenceNumber: sub });
    }
  });

  it("encode any value exactly as JSON would, on the fast path and off it", () => {
    const reference = (sequenceNumber: string | null, subSequenceNumber: number | null) =>
      `${JSON.stringify({ action: "checkpoint", sequenceNumber, subSequenceNumber })}\n`;
    for (const seq of [SEQ, "0", "", "12a", 'a"b\\', "\u2028", null]) {
      for (const sub of [0, 7, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, null]) {
        assert.equal(encodeCheckpoint(seq, sub), reference(seq, sub), `${seq} / ${sub}`);
      }
    }
    // Status lines are remembered for a few names; every name, remembered or not, is escaped.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) {
        const name = `action "${i}"`;
        assert.deepEqual(JSON.parse(encodeStatus(name)), { action: "status", responseFor: name });
      }
    }
  });

  it("produce checkpoint lines that the daemon-side reading of them round-trips", () => {
    // The daemon echoes the request's fields in its reply: a reply built from
    // our line must parse back to the same position.
    const request = JSON.parse(encodeCheckpoint(SEQ, 9));
    const reply = parseMessage(JSON.stringify({ ...request, error: null }));
    assert.deepEqual(reply, { action: "checkpoint", sequenceNumber: SEQ, subSequenceNumber: 9, error: null });
  });
});
