/**
 * The consumer of `consumer.ts` as a shard host: one process serves every
 * shard, each the session of one connection to the socket. The daemon's
 * `executableName` is a relay to it:
 *
 *     executableName = socat -b 65536 STDIO UNIX-CONNECT:/run/orders/kcl.sock
 *
 * Start it with the daemon (`kcl-launcher --properties app.properties --host
 * "deno run --allow-read --allow-write --allow-env --allow-net examples/shard_host.ts /run/orders/kcl.sock"`),
 * or before it; or locally: `kcl-local --shards 4 -- socat STDIO UNIX-CONNECT:/run/orders/kcl.sock`.
 *
 * @module
 */

import process from "node:process";
import type { KinesisRecord } from "../mod.ts";
import { serveShards } from "../src/host/mod.ts";

interface Event {
  type: string;
  [key: string]: unknown;
}

function decode(record: KinesisRecord): Event | undefined {
  try {
    const event = record.json<Event>();
    return typeof event?.type === "string" ? event : undefined;
  } catch {
    return undefined;
  }
}

const path = process.argv[2] ?? "/run/orders/kcl.sock";

// One processor per shard's session: its state is that shard's alone.
await serveShards(() => {
  const counts = new Map<string, number>();
  let processed = 0;
  return {
    async processRecords({ records, checkpointer }) {
      for (const record of records) {
        const event = decode(record);
        if (event !== undefined) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
      }
      processed += records.length;
      // console.log goes to the host's stderr, tagged with the shard: "[shardId-000000000001] 500 records".
      if (records.length > 0) console.log(`${records.length} records`);
      await checkpointer.checkpoint();
    },
    async shutdownRequested({ checkpointer }) {
      await checkpointer.checkpoint();
    },
    async shardEnded({ checkpointer }) {
      await checkpointer.checkpoint();
      console.log(`shard ended after ${processed} records`, Object.fromEntries(counts));
    },
  };
}, { path });
