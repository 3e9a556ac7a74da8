/**
 * Our shard host for the bench: the same work as `ours.ts` per shard
 * (decode every record's data, checkpoint the last record of each batch),
 * every shard a connection of one host. Serves at the path given as its
 * first argument (or on the socket a supervisor passed, KCL_HOST_LISTEN_FD).
 *
 * Usage: `<runtime> bench/children/host.ts <socket path>`.
 *
 * @module
 */

import process from "node:process";
import { serveShards } from "../../src/host/mod.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: host.ts <socket path>");
let decodedBytes = 0;

await serveShards(() => ({
  async processRecords({ records, checkpointer }) {
    for (const record of records) decodedBytes += record.data.length;
    const last = records.at(-1);
    if (last !== undefined) await checkpointer.checkpoint(last);
  },
  leaseLost() {
    if (decodedBytes < 0) console.error("unreachable");
  },
}), { path, logLevel: "warn" });
