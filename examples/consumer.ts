/**
 * A realistic consumer: decodes JSON events, keeps per-type counts, and
 * checkpoints after every batch. Run it under the MultiLangDaemon with
 * `executableName = deno run examples/consumer.ts` (or `bun ...`, `node ...`),
 * or locally with `deno task demo`.
 *
 * @module
 */

import { type KinesisRecord, run } from "../mod.ts";

interface Event {
  type: string;
  [key: string]: unknown;
}

const counts = new Map<string, number>();
let shardId = "?";
let processed = 0;

function decode(record: KinesisRecord): Event | undefined {
  try {
    const event = record.json<Event>();
    return typeof event?.type === "string" ? event : undefined;
  } catch {
    // A poison record must not stop the shard; it is counted, and the batch logs the count.
    return undefined;
  }
}

await run({
  initialize(input) {
    shardId = input.shardId;
    // console.log is safe: run() sends it to stderr, stdout is the protocol channel.
    console.log(`${shardId}: starting after checkpoint ${input.sequenceNumber}`);
  },

  async processRecords({ records, checkpointer, millisBehindLatest }) {
    let skipped = 0;
    for (const record of records) {
      const event = decode(record);
      if (event === undefined) skipped++;
      else counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    }
    processed += records.length;
    if (records.length > 0) {
      console.log(`${shardId}: ${records.length} records, ${millisBehindLatest ?? "?"} ms behind`);
    }
    // One line per batch, not per record: a stream of non-JSON payloads must not flood the log.
    if (skipped > 0) {
      const range = `${records[0]?.sequenceNumber}..${records.at(-1)?.sequenceNumber}`;
      console.error(`${shardId}: skipped ${skipped} of ${records.length} records in ${range}: not JSON events`);
    }
    // Everything in this batch is handled: record that in the lease table.
    await checkpointer.checkpoint();
  },

  async shutdownRequested({ checkpointer }) {
    // Lease hand-off or worker shutdown: commit what is finished.
    await checkpointer.checkpoint();
    console.log(`${shardId}: shutdown requested after ${processed} records`);
  },

  async shardEnded({ checkpointer }) {
    // The shard is closed and fully read: SHARD_END lets its children start.
    await checkpointer.checkpoint();
    console.log(`${shardId}: shard ended after ${processed} records`, Object.fromEntries(counts));
  },

  leaseLost() {
    console.log(`${shardId}: lease lost after ${processed} records`);
  },
});
