/**
 * The workloads, generated once as encoded lines and replayed to every child.
 *
 * @module
 */

/** One workload: the lines to send, and what a child does with them. */
export interface Workload {
  readonly id: "W1" | "W2" | "W3" | "W4";
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
}

/** Sizes of one bench run. */
export interface Plan {
  readonly w1Batches: number;
  readonly w2Actions: number;
  readonly w3Batches: number;
  readonly w4Spawns: number;
}

export const FULL: Plan = { w1Batches: 20, w2Actions: 5000, w3Batches: 20, w4Spawns: 30 };
export const QUICK: Plan = { w1Batches: 5, w2Actions: 1000, w3Batches: 5, w4Spawns: 10 };

const PAYLOAD_BYTES = 1500;
const encoder = new TextEncoder();

/** A small pool of distinct random payloads, base64-encoded like the daemon does. */
function payloads(count: number): string[] {
  const pool: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(PAYLOAD_BYTES));
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    pool.push(btoa(binary));
  }
  return pool;
}

/** Builds `processRecords` lines of `perBatch` records each, numbered on from `first`. */
function batchLines(batches: number, perBatch: number, pool: string[]): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let n = 0;
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
  ];
}

/** The lines around every session. */
export const INITIALIZE_LINE: Uint8Array = encoder.encode(
  '{"action":"initialize","shardId":"shardId-000000000000","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}\n',
);
export const LEASE_LOST_LINE: Uint8Array = encoder.encode('{"action":"leaseLost"}\n');
