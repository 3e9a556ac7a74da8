/**
 * A consumer for the local daemon's tests: appends every record it processes
 * (`<shardId> <sequenceNumber>`) to the file in RECORD_LOG, checkpoints after
 * every batch, and, on batch CRASH_AT_BATCH of shard CRASH_SHARD (after
 * logging the batch, before checkpointing it), kills itself with SIGKILL, or
 * throws "Cannot store the record: disk full" when THROW is set.
 */

import { appendFileSync } from "node:fs";
import process from "node:process";
import { run } from "../../../mod.ts";

const log = process.env.RECORD_LOG ?? "";
const crashShard = process.env.CRASH_SHARD;
const crashAt = Number(process.env.CRASH_AT_BATCH ?? "0");
let shardId = "";
let batches = 0;

await run({
  initialize(input) {
    shardId = input.shardId;
  },
  async processRecords({ records, checkpointer }) {
    batches++;
    if (log !== "" && records.length > 0) {
      appendFileSync(log, records.map((record) => `${shardId} ${record.sequenceNumber}\n`).join(""));
    }
    if (shardId === crashShard && batches === crashAt) {
      if (process.env.THROW !== undefined) throw new Error("Cannot store the record: disk full");
      process.kill(process.pid, "SIGKILL");
    }
    await checkpointer.checkpoint();
  },
}, { logLevel: "warn" });
