/**
 * A Kinesis record as user code sees it: fields of the wire record, with the
 * payload decoded from base64 lazily, once, on first access.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";
import { decodeBase64 } from "./_base64.ts";
import { formatPosition } from "./sequence.ts";

/**
 * One Kinesis record (a KPL sub-record when `subSequenceNumber > 0`).
 *
 * @example Read records in a processor
 * ```ts
 * import type { KinesisRecord } from "@kcl/multilang";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const describe = (record: KinesisRecord): string =>
 *   `${record.partitionKey}: ${record.data.length} bytes, ${JSON.stringify(record.json())}`;
 * const seen: string[] = [];
 * const daemon = FakeDaemon.inProcess({ processRecords: ({ records }) => void seen.push(...records.map(describe)) });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder({ partitionKey: () => "user-7" }).build([{ type: "click" }]));
 * assert.deepEqual(seen, ['user-7: 16 bytes, {"type":"click"}']);
 * ```
 */
export interface KinesisRecord {
  /** Decimal sequence number (compare with {@linkcode compareSequence}, never as a number). */
  readonly sequenceNumber: string;
  /** Position inside a KPL aggregate; 0 for plain records. */
  readonly subSequenceNumber: number;
  /** The partition key, or `null` if the daemon sent none. */
  readonly partitionKey: string | null;
  /** When Kinesis accepted the record, or `null`. */
  readonly approximateArrivalTimestamp: Date | null;
  /** The payload bytes, decoded from base64 on first access. */
  readonly data: Uint8Array;
  /** The payload as UTF-8 text. */
  text(): string;
  /** The payload parsed as JSON. */
  json<T = unknown>(): T;
}

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * The position of `value` when it is a record made by {@linkcode createRecord}
 * with a sub-sequence number >= 0: its position comes from a validated wire
 * record (decimal digits, an integer sub-sequence number), so the checkpoint
 * path need not test it again. `undefined` for anything else.
 */
export let positionOfRecord: (value: unknown) => { sequenceNumber: string; subSequenceNumber: number } | undefined;

/**
 * The record implementation. Creating one costs one small object; decoding
 * happens only if user code reads `data`, `text()` or `json()`.
 */
class LazyRecord implements KinesisRecord {
  static {
    // One function, reading the message itself: the checkpoint of every small action takes this path.
    positionOfRecord = (value) => {
      if (typeof value !== "object" || value === null || !(#message in value)) return undefined;
      const message = value.#message;
      const subSequenceNumber = message.subSequenceNumber;
      // The usual record: its message is its position (no object per checkpoint).
      if (subSequenceNumber !== null) {
        return subSequenceNumber >= 0 ? message as { sequenceNumber: string; subSequenceNumber: number } : undefined;
      }
      return { sequenceNumber: message.sequenceNumber, subSequenceNumber: 0 };
    };
  }

  readonly #message: RecordMessage;
  /** The decoder until the payload is first read, then the payload: one field less per record of a batch. */
  #data: Uint8Array | ((base64: string) => Uint8Array);

  constructor(message: RecordMessage, decode: (base64: string) => Uint8Array) {
    this.#message = message;
    this.#data = decode;
  }

  get sequenceNumber(): string {
    return this.#message.sequenceNumber;
  }

  get subSequenceNumber(): number {
    return this.#message.subSequenceNumber ?? 0;
  }

  get partitionKey(): string | null {
    return this.#message.partitionKey;
  }

  get approximateArrivalTimestamp(): Date | null {
    const millis = this.#message.approximateArrivalTimestamp;
    return millis === null ? null : new Date(millis);
  }

  get data(): Uint8Array {
    const data = this.#data;
    if (typeof data !== "function") return data;
    const base64 = this.#message.data;
    let bytes: Uint8Array;
    try {
      bytes = base64 === null || base64 === "" ? EMPTY : data(base64);
    } catch (error) {
      throw new SyntaxError(
        `Cannot decode record ${formatPosition(this)}: data is not base64 (${(error as Error).message})`,
      );
    }
    this.#data = bytes;
    return bytes;
  }

  text(): string {
    return decoder.decode(this.data);
  }

  json<T = unknown>(): T {
    const text = this.text();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new SyntaxError(
        `Cannot parse record ${formatPosition(this)} as JSON: ${(error as Error).message}`,
      );
    }
  }

  toJSON(): object {
    return {
      sequenceNumber: this.sequenceNumber,
      subSequenceNumber: this.subSequenceNumber,
      partitionKey: this.partitionKey,
      approximateArrivalTimestamp: this.#message.approximateArrivalTimestamp,
      data: this.#message.data,
    };
  }
}

/**
 * Wraps a validated wire record (the session's records; tests make them with
 * `FakeDaemon`); `decode` turns its base64 payload into bytes, throwing on
 * malformed input.
 */
export function createRecord(
  message: RecordMessage,
  decode: (base64: string) => Uint8Array = decodeBase64,
): KinesisRecord {
  return new LazyRecord(message, decode);
}

/**
 * Wraps a batch's validated wire records, in one loop (no call per record
 * but the constructor's); `decode` as for {@linkcode createRecord}. A function
 * of its own: a big batch's loop gets compiled on the spot (on-stack
 * replacement), and compiling it costs a fraction of compiling the caller.
 */
export function createRecords(
  messages: readonly RecordMessage[],
  decode: ((base64: string) => Uint8Array) | undefined,
): KinesisRecord[] {
  const decoder = decode ?? decodeBase64;
  const count = messages.length;
  const records = new Array<KinesisRecord>(count);
  for (let i = 0; i < count; i++) records[i] = new LazyRecord(messages[i]!, decoder);
  return records;
}
