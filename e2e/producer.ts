/**
 * The producer of the end-to-end test: puts JSON events with the AWS SDK v3's PutRecords, as users do, and reads a
 * stream back shard by shard (what the emulator holds is the truth the assertions compare against).
 *
 * @module
 */

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { listShards, type Stack } from "./stack.ts";

/** A record as the emulator holds it. */
export interface StoredRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: string;
}

/** The event types of the producer (the batch example writes one file per type). */
export const EVENT_TYPES = ["order", "payment", "refund"] as const;

let produced = 0;

/** The payload of the producer's n-th event. */
export function eventPayload(n: number, partitionKey: string): string {
  return JSON.stringify({
    type: EVENT_TYPES[n % EVENT_TYPES.length],
    n,
    key: partitionKey,
    at: n * 7,
  });
}

/**
 * Puts `count` JSON events in batches of up to 500, over `keys` partition keys, retrying entries the emulator
 * refuses. Each event carries a global counter `n` (per process) and its key, so order per key can be checked.
 */
export async function putEvents(
  stack: Stack,
  streamName: string,
  count: number,
  keys = 64,
): Promise<number> {
  let left = count;
  while (left > 0) {
    const size = Math.min(500, left);
    let entries: PutRecordsRequestEntry[] = [];
    for (let i = 0; i < size; i++) {
      const n = produced++;
      const key = `key-${n % keys}`;
      entries.push({
        PartitionKey: key,
        Data: new TextEncoder().encode(eventPayload(n, key)),
      });
    }
    // Failed entries are put again, in their order (per key order holds: a key's entries fail or succeed together
    // only in a throttled emulator; kinesis-local does not throttle below its limits).
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt === 10) {
        throw new Error(
          `Cannot put records: ${entries.length} still refused after 10 attempts`,
        );
      }
      const result = await stack.kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: entries }),
      );
      entries = entries.filter((_, i) => result.Records?.[i]?.ErrorCode !== undefined);
    }
    left -= size;
  }
  return count;
}

/** Every record of every shard of the stream, in shard order, read from TRIM_HORIZON. */
export async function readStream(
  stack: Stack,
  streamName: string,
): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (const shard of await listShards(stack, streamName)) {
    const shardId = shard.ShardId!;
    let iterator = (await stack.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )).ShardIterator;
    while (iterator) {
      const page = await stack.kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of page.Records ?? []) {
        records.push({
          shardId,
          sequenceNumber: record.SequenceNumber!,
          partitionKey: record.PartitionKey!,
          data: new TextDecoder().decode(record.Data),
        });
      }
      // An open shard's iterator never ends: stop at the tip.
      if (
        (page.Records ?? []).length === 0 &&
        (page.MillisBehindLatest ?? 0) === 0
      ) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}
