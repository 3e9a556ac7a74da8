/**
 * Realistic wire records for tests: decimal sequence numbers of Kinesis's
 * length, sub-sequence numbers for KPL sub-records, base64 payloads and
 * arrival timestamps.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";

/**
 * A payload: text (UTF-8), bytes, or any other value (written as JSON).
 *
 * @example Every kind of payload
 * ```ts
 * import { RecordBuilder, type RecordPayload } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const payloads: RecordPayload[] = ["text", new Uint8Array([0xff]), { n: 1 }, [1, 2], 42, true, null];
 * const records = new RecordBuilder().build(payloads);
 * assert.deepEqual(records.map((record) => atob(record.data ?? "")), [
 *   "text",
 *   "\xff",
 *   '{"n":1}',
 *   "[1,2]",
 *   "42",
 *   "true",
 *   "null",
 * ]);
 * ```
 */
export type RecordPayload =
  | string
  | Uint8Array
  | Record<string, unknown>
  | readonly unknown[]
  | number
  | boolean
  | null;

/**
 * Options of {@linkcode RecordBuilder}.
 *
 * @example Small sequence numbers, two partition keys, one record a second
 * ```ts
 * import { RecordBuilder, type RecordBuilderOptions } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const options: RecordBuilderOptions = {
 *   firstSequenceNumber: "100",
 *   sequenceStep: 5,
 *   partitionKey: (index) => `user-${index % 2}`,
 *   firstArrival: 0,
 *   arrivalStep: 1000,
 * };
 * const records = new RecordBuilder(options).build(["a", "b", "c"]);
 * assert.deepEqual(records.map((r) => [r.sequenceNumber, r.partitionKey, r.approximateArrivalTimestamp]), [
 *   ["100", "user-0", 0],
 *   ["105", "user-1", 1000],
 *   ["110", "user-0", 2000],
 * ]);
 * ```
 */
export interface RecordBuilderOptions {
  /** The first sequence number (decimal digits). @default {"49590338271490256608559692538361571095921575989136588898"} */
  readonly firstSequenceNumber?: string;
  /** How much the sequence number grows from one Kinesis record to the next. @default {1000} */
  readonly sequenceStep?: number;
  /** The partition key of each record, from its index across all batches. @default {`pk-${index}`} */
  readonly partitionKey?: (index: number) => string;
  /** Arrival time of the first record, epoch milliseconds. @default {1700000000000} */
  readonly firstArrival?: number;
  /** Milliseconds between the arrival of two Kinesis records. @default {10} */
  readonly arrivalStep?: number;
  /**
   * Sub-records per KPL aggregate: consecutive records share a sequence number
   * and get sub-sequence numbers 0, 1, … (the daemon de-aggregates KPL records
   * itself). @default {1} (plain records, sub-sequence number 0)
   */
  readonly aggregate?: number;
}

/** The realistic first sequence number (the one in PROTOCOL.md's captured lines). */
const FIRST_SEQUENCE_NUMBER = "49590338271490256608559692538361571095921575989136588898";

const encoder = new TextEncoder();

/**
 * Builds wire records whose sequence numbers keep increasing from one call to
 * the next, as a shard's records do.
 *
 * @example Two batches of one shard
 * ```ts
 * import { RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const records = new RecordBuilder();
 * const first = records.build(["hello", { type: "click" }]);
 * const second = records.build([new Uint8Array([1, 2, 3])]);
 * assert.equal(first[0]?.data, btoa("hello"));
 * assert.equal(first[1]?.data, btoa('{"type":"click"}'));
 * assert.equal(first[0]?.sequenceNumber, "49590338271490256608559692538361571095921575989136588898");
 * assert.equal(second[0]?.sequenceNumber, "49590338271490256608559692538361571095921575989136590898");
 * ```
 *
 * @example KPL sub-records
 * ```ts
 * import { RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const [a, b, c] = new RecordBuilder({ aggregate: 2 }).build(["a", "b", "c"]);
 * assert.equal(a?.sequenceNumber, b?.sequenceNumber);
 * assert.deepEqual([a?.subSequenceNumber, b?.subSequenceNumber, c?.subSequenceNumber], [0, 1, 0]);
 * ```
 */
export class RecordBuilder {
  readonly #step: bigint;
  readonly #partitionKey: (index: number) => string;
  readonly #arrivalStep: number;
  readonly #aggregate: number;
  #next: bigint;
  #arrival: number;
  #index = 0;

  /**
   * Creates a builder for one shard's records.
   *
   * @param options where sequence numbers and timestamps start, and how records aggregate
   */
  constructor(options: RecordBuilderOptions = {}) {
    const first = options.firstSequenceNumber ?? FIRST_SEQUENCE_NUMBER;
    if (!/^[0-9]+$/.test(first)) {
      throw new RangeError(`Cannot build records: firstSequenceNumber ${JSON.stringify(first)} is not decimal digits`);
    }
    this.#next = BigInt(first);
    this.#step = BigInt(options.sequenceStep ?? 1000);
    this.#partitionKey = options.partitionKey ?? ((index) => `pk-${index}`);
    this.#arrival = options.firstArrival ?? 1_700_000_000_000;
    this.#arrivalStep = options.arrivalStep ?? 10;
    this.#aggregate = Math.max(1, Math.floor(options.aggregate ?? 1));
  }

  /** Builds one record per payload, continuing the sequence of earlier calls. */
  build(payloads: readonly RecordPayload[]): RecordMessage[] {
    return payloads.map((payload) => this.#record(payload));
  }

  #record(payload: RecordPayload): RecordMessage {
    const index = this.#index++;
    const subSequenceNumber = index % this.#aggregate;
    if (index > 0 && subSequenceNumber === 0) {
      this.#next += this.#step;
      this.#arrival += this.#arrivalStep;
    }
    return {
      data: encodePayload(payload),
      partitionKey: this.#partitionKey(index),
      sequenceNumber: this.#next.toString(),
      subSequenceNumber,
      approximateArrivalTimestamp: this.#arrival,
    };
  }
}

/**
 * Base64 of a payload as the daemon writes it: text as UTF-8, bytes as they
 * are, any other value as its JSON text.
 */
export function encodePayload(payload: RecordPayload): string {
  const bytes = payload instanceof Uint8Array
    ? payload
    : encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return encodeBase64(bytes);
}

/** Standard padded base64 of `bytes`, in chunks (a spread of megabytes would overflow the stack). */
export function encodeBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as { toBase64?: () => string }).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
