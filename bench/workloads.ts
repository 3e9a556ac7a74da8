/**
 * The workloads, generated once as encoded lines and replayed to every child.
 *
 * @module
 */

import type { WorkloadId } from "./children.ts";

/** W5's lines and sizes: every child of a dense host gets the same. */
export interface DenseLoad {
  /** Children of one kind running at once. */
  readonly children: number;
  /** The one big `processRecords` line each child takes first. */
  readonly big: Uint8Array;
  /** Decoded payload bytes of the big batch. */
  readonly bigPayloadBytes: number;
  /** The small `processRecords` lines that follow (one record each). */
  readonly small: readonly Uint8Array[];
  /** Decoded payload bytes of all small batches. */
  readonly smallPayloadBytes: number;
}

/** One workload: the lines to send, and what a child does with them. */
export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  /** `processRecords` lines, each ending in `\n`. */
  readonly batches: readonly Uint8Array[];
  readonly records: number;
  /** Bytes of all `processRecords` lines. */
  readonly inputBytes: number;
  /** Whether the children checkpoint after every record (else the last of each batch). */
  readonly everyRecord: boolean;
  /** W4 only: spawns to time. */
  readonly spawns: number;
  /** W5 only. */
  readonly dense?: DenseLoad;
}

/** Sizes of one bench run. */
export interface Plan {
  readonly w1Batches: number;
  readonly w2Actions: number;
  readonly w3Batches: number;
  readonly w4Spawns: number;
  /** W5: children of one kind at once, and small batches each takes after its big one. */
  readonly w5Children: number;
  readonly w5SmallBatches: number;
}

export const FULL: Plan = {
  w1Batches: 20,
  w2Actions: 5000,
  w3Batches: 20,
  w4Spawns: 30,
  w5Children: 50,
  w5SmallBatches: 1000,
};
export const QUICK: Plan = {
  w1Batches: 5,
  w2Actions: 1000,
  w3Batches: 5,
  w4Spawns: 10,
  w5Children: 6,
  w5SmallBatches: 200,
};

const PAYLOAD_BYTES = 1500;
/** W5's small batches: one record of 1 KiB, as the issue measured CPU per MiB. */
const SMALL_PAYLOAD_BYTES = 1024;
const encoder = new TextEncoder();

/** A small pool of distinct random payloads, base64-encoded like the daemon does. */
function payloads(count: number, size = PAYLOAD_BYTES): string[] {
  const pool: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(size));
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    pool.push(btoa(binary));
  }
  return pool;
}

/** Builds `processRecords` lines of `perBatch` records each, numbered on from `first`. */
function batchLines(batches: number, perBatch: number, pool: string[], first = 0): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let n = first;
  for (let b = 0; b < batches; b++) {
    const records: string[] = [];
    for (let r = 0; r < perBatch; r++, n++) {
      // Realistic 56-digit sequence numbers, increasing.
      const sequenceNumber = `4959033827149025660855969253836157109592157598${String(n).padStart(10, "0")}`;
      records.push(
        `{"data":"${pool[n % pool.length]}","partitionKey":"pk-${n % 1000}","sequenceNumber":"${sequenceNumber}",` +
          `"approximateArrivalTimestamp":${1700000000000 + n},"subSequenceNumber":0,"action":"record"}`,
      );
    }
    lines.push(encoder.encode(`{"action":"processRecords","records":[${records.join(",")}],"millisBehindLatest":0}\n`));
  }
  return lines;
}

function workload(
  id: Workload["id"],
  title: string,
  batches: Uint8Array[],
  records: number,
  everyRecord: boolean,
  spawns = 0,
): Workload {
  const inputBytes = batches.reduce((sum, line) => sum + line.length, 0);
  return { id, title, batches, records, inputBytes, everyRecord, spawns };
}

/** Generates every workload of `plan`. */
export function createWorkloads(plan: Plan): Workload[] {
  const pool = payloads(97);
  return [
    workload(
      "W1",
      `big batches: ${plan.w1Batches} x 10,000 records of 1,500 B`,
      batchLines(plan.w1Batches, 10_000, pool),
      plan.w1Batches * 10_000,
      false,
    ),
    workload(
      "W2",
      `small actions: ${plan.w2Actions} x 1 record + checkpoint`,
      batchLines(plan.w2Actions, 1, pool),
      plan.w2Actions,
      false,
    ),
    workload(
      "W3",
      `checkpoint-heavy: ${plan.w3Batches} x 1,000 records, checkpoint each`,
      batchLines(plan.w3Batches, 1000, pool),
      plan.w3Batches * 1000,
      true,
    ),
    workload("W4", `start-up: ${plan.w4Spawns} x spawn, initialize, leaseLost, exit`, [], 0, false, plan.w4Spawns),
    denseWorkload(plan, pool),
  ];
}

function denseWorkload(plan: Plan, pool: string[]): Workload {
  const [big] = batchLines(1, 10_000, pool);
  const small = batchLines(plan.w5SmallBatches, 1, payloads(97, SMALL_PAYLOAD_BYTES), 10_000);
  const dense: DenseLoad = {
    children: plan.w5Children,
    big: big!,
    bigPayloadBytes: 10_000 * PAYLOAD_BYTES,
    small,
    smallPayloadBytes: plan.w5SmallBatches * SMALL_PAYLOAD_BYTES,
  };
  return {
    ...workload(
      "W5",
      `dense host: ${plan.w5Children} children of a kind at once, each 1 x 10,000 records of 1,500 B (${
        (big!.length / 1e6).toFixed(0)
      } MB), then ${plan.w5SmallBatches} x 1 record of 1 KiB + checkpoint`,
      [big!, ...small],
      10_000 + plan.w5SmallBatches,
      false,
    ),
    dense,
  };
}

/** The lines around every session. */
export const INITIALIZE_LINE: Uint8Array = encoder.encode(
  '{"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}\n',
);
export const LEASE_LOST_LINE: Uint8Array = encoder.encode('{"action":"leaseLost"}\n');
