/**
 * Our shard host for the bench: the same work as `ours.ts` per shard
 * (decode every record's data, checkpoint the last record of each batch),
 * every shard a connection of one host. Serves at the path given as its
 * first argument (or on the socket a supervisor passed, KCL_HOST_LISTEN_FD).
 *
 * With `KCL_BENCH_WORK=n` (throughput runs, `bench/host.ts --work n`) the
 * processor also does work of its own: it checksums each record's data `n`
 * times (a stand-in for a real processor's parsing and transforming).
 *
 * Usage: `<runtime> bench/children/host.ts <socket path>`.
 *
 * @module
 */

import process from "node:process";
import { serveShards } from "../../src/host/mod.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: host.ts <socket path>");
const work = Number(process.env.KCL_BENCH_WORK ?? "0");
let decodedBytes = 0;
let checksum = 0;

await serveShards(() => ({
  async processRecords({ records, checkpointer }) {
    for (const record of records) decodedBytes += record.data.length;
    for (let round = 0; round < work; round++) {
      for (const record of records) {
        const data = record.data;
        for (let i = 0; i < data.length; i++) checksum = (Math.imul(checksum, 31) + data[i]!) | 0;
      }
    }
    const last = records.at(-1);
    if (last !== undefined) await checkpointer.checkpoint(last);
  },
  leaseLost() {
    if (decodedBytes < 0 || checksum === 0.5) console.error("unreachable");
  },
}), { path, logLevel: "warn" });
