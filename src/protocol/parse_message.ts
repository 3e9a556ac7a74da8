/**
 * Turns one line from the daemon into a typed, validated message.
 *
 * Unknown keys are ignored (future daemons may add some), key order does not
 * matter, and a field the daemon may write as `null` is also accepted when
 * absent (older daemons omit some). A known action with a mistyped field is
 * an `invalid-message` error naming the field.
 *
 * @module
 */

import type {
  CheckpointReplyMessage,
  DaemonMessage,
  InitializeMessage,
  ProcessRecordsMessage,
  RecordMessage,
  ShutdownMessage,
} from "./messages.ts";
import { ProtocolError } from "./protocol_error.ts";

type Json = Record<string, unknown>;

const DECIMAL = /^[0-9]+$/;
const SHUTDOWN_REASONS: ReadonlySet<string> = new Set(["TERMINATE", "ZOMBIE", "REQUESTED"]);

/**
 * Parses and validates one line the daemon wrote.
 *
 * @throws {ProtocolError} `not-a-message` when the line is not a JSON object
 * with a string `action`; `invalid-message` when a known action has a
 * missing or mistyped field.
 *
 * @example Parse the exact lines a daemon writes
 * ```ts
 * import { parseMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const message = parseMessage(
 *   '{"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
 * );
 * assert.equal(message.action, "initialize");
 * if (message.action === "initialize") assert.equal(message.shardId, "shardId-000000000000");
 * ```
 */
export function parseMessage(line: string): DaemonMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw notJson(line, error);
  }
  // Tested here rather than by `isObject`: one call less on every line.
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw notAMessage(line);
  const action = (value as Json).action;
  if (typeof action !== "string") throw notAMessage(line);
  // The two messages of every small action, when well formed, apart from `validate`: a runtime's optimizing compiler
  // then compiles only them, not every case (bench/README.md, "Second pass"). A checkpoint reply with every field
  // present and well typed is taken here (a call less per small action: "Fourth pass"), a batch in its own function.
  if (action === "checkpoint") {
    const { sequenceNumber, subSequenceNumber, error } = value as Json;
    if (
      (sequenceNumber === null || typeof sequenceNumber === "string") &&
      (subSequenceNumber === null || Number.isSafeInteger(subSequenceNumber)) &&
      (error === null || typeof error === "string")
    ) return { action: "checkpoint", sequenceNumber, subSequenceNumber, error } as CheckpointReplyMessage;
  }
  const usual = action === "processRecords" ? usualProcessRecords(value as Json) : undefined;
  return usual ?? validate(value as Json, action, line);
}

/**
 * A `processRecords` message whose records are all complete (every field
 * present) and well typed, else `undefined`: then there is nothing to fill in
 * or report. The fields are checked by name in the loop itself, with no call
 * per record (a 10,000-record batch runs it while the runtime still compiles
 * it), where `checkRecord`'s general path looks each key up by name.
 */
function usualProcessRecords(message: Json): ProcessRecordsMessage | undefined {
  const { records, millisBehindLatest } = message;
  if (!Array.isArray(records) || !(millisBehindLatest === null || Number.isSafeInteger(millisBehindLatest))) {
    return undefined;
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (typeof record !== "object" || record === null || Array.isArray(record)) return undefined;
    const { sequenceNumber, data, partitionKey, subSequenceNumber, approximateArrivalTimestamp } = record as Json;
    if (
      !(typeof sequenceNumber === "string" && DECIMAL.test(sequenceNumber) &&
        (data === null || typeof data === "string") &&
        (partitionKey === null || typeof partitionKey === "string") &&
        (subSequenceNumber === null || Number.isSafeInteger(subSequenceNumber)) &&
        (approximateArrivalTimestamp === null || Number.isSafeInteger(approximateArrivalTimestamp)))
    ) return undefined;
  }
  return { action: "processRecords", records, millisBehindLatest } as ProcessRecordsMessage;
}

/** Every other message, and the usual ones that were not: validated field by field, naming what is wrong. */
function validate(message: Json, action: string, line: string): DaemonMessage {
  try {
    return toMessage(message, action);
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    throw new ProtocolError(
      "invalid-message",
      `Cannot parse daemon message: ${error.message}`,
      line,
    );
  }
}

function notJson(line: string, error: unknown): ProtocolError {
  return new ProtocolError(
    "not-a-message",
    `Cannot parse daemon message: not JSON (${(error as Error).message})`,
    line,
  );
}

function notAMessage(line: string): ProtocolError {
  return new ProtocolError(
    "not-a-message",
    'Cannot parse daemon message: not a JSON object with a string "action"',
    line,
  );
}

function toMessage(message: Json, action: string): DaemonMessage {
  switch (action) {
    case "initialize":
      return {
        action,
        shardId: requiredString(message, "shardId", action),
        sequenceNumber: nullableString(message, "sequenceNumber", action),
        subSequenceNumber: nullableInteger(message, "subSequenceNumber", action),
      } satisfies InitializeMessage;
    case "processRecords":
      return {
        action,
        records: records(message.records),
        millisBehindLatest: nullableInteger(message, "millisBehindLatest", action),
      } satisfies ProcessRecordsMessage;
    case "leaseLost":
    case "shardEnded":
    case "shutdownRequested":
      return { action };
    case "shutdown": {
      const reason = requiredString(message, "reason", action);
      if (!SHUTDOWN_REASONS.has(reason)) {
        throw new FieldError(
          `shutdown.reason must be TERMINATE, ZOMBIE or REQUESTED, got ${JSON.stringify(reason)}`,
        );
      }
      return { action, reason } as ShutdownMessage;
    }
    case "checkpoint":
      return {
        action,
        sequenceNumber: nullableString(message, "sequenceNumber", action),
        subSequenceNumber: nullableInteger(message, "subSequenceNumber", action),
        error: nullableString(message, "error", action),
      } satisfies CheckpointReplyMessage;
    default:
      return { action: "unknown", name: action };
  }
}

/** Validates the records in place (no copy of a 10,000-record array). */
function records(value: unknown): RecordMessage[] {
  if (!Array.isArray(value)) {
    throw new FieldError(`processRecords.records must be an array, got ${describe(value)}`);
  }
  for (let i = 0; i < value.length; i++) {
    try {
      checkRecord(value[i]);
    } catch (error) {
      // The record's path is built only on failure: this runs for every record.
      throw error instanceof FieldError ? new FieldError(`processRecords.records[${i}]${error.message}`) : error;
    }
  }
  return value as RecordMessage[];
}

/** Checks one record; messages start at the record's path (added by the caller). */
function checkRecord(record: unknown): void {
  if (!isObject(record)) throw new FieldError(` must be an object, got ${describe(record)}`);
  const sequenceNumber = record.sequenceNumber;
  if (typeof sequenceNumber !== "string" || !DECIMAL.test(sequenceNumber)) {
    throw new FieldError(`.sequenceNumber must be a string of decimal digits, got ${describe(sequenceNumber)}`);
  }
  nullableString(record, "data", "");
  nullableString(record, "partitionKey", "");
  nullableInteger(record, "subSequenceNumber", "");
  nullableInteger(record, "approximateArrivalTimestamp", "");
}

class FieldError extends Error {}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredString(message: Json, key: string, where: string): string {
  const value = message[key];
  if (typeof value !== "string") {
    throw new FieldError(`${where}.${key} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** A string or null; an absent field becomes `null` (written back for records). */
function nullableString(message: Json, key: string, where: string): string | null {
  const value = message[key];
  if (value === undefined) return (message[key] = null);
  if (value === null || typeof value === "string") return value;
  throw new FieldError(`${where}.${key} must be a string or null, got ${describe(value)}`);
}

function nullableInteger(message: Json, key: string, where: string): number | null {
  const value = message[key];
  if (value === undefined) return (message[key] = null);
  if (value === null || Number.isSafeInteger(value)) return value as number | null;
  throw new FieldError(`${where}.${key} must be an integer or null, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
