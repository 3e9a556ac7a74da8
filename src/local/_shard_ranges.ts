/**
 * Kinesis's mapping of partition keys to shards: the MD5 of the key, read as
 * an unsigned 128-bit integer, falls into one shard's hash key range; a new
 * stream of N shards splits the range evenly.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** One shard of a new stream: its id and hash key range (inclusive). */
export interface ShardRange {
  /** `shardId-000000000000`, `shardId-000000000001`, … */
  readonly shardId: string;
  /** First hash key of the shard. */
  readonly startingHashKey: bigint;
  /** Last hash key of the shard. */
  readonly endingHashKey: bigint;
}

const HASH_SPACE = 1n << 128n;

/** The shard id Kinesis gives the `index`-th shard of a new stream. */
function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** The hash key ranges of a new stream of `count` shards, as Kinesis creates them. */
export function shardRanges(count: number): ShardRange[] {
  const n = BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    shardId: shardIdOf(i),
    startingHashKey: (BigInt(i) * HASH_SPACE) / n,
    endingHashKey: (BigInt(i + 1) * HASH_SPACE) / n - 1n,
  }));
}

/** The hash key of a partition key: MD5 of its UTF-8 bytes as an unsigned 128-bit integer. */
function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

/** The index of the range that holds the hash key of `partitionKey`. */
export function shardIndexOf(partitionKey: string, ranges: readonly ShardRange[]): number {
  const hash = hashKeyOf(partitionKey);
  let low = 0;
  let high = ranges.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((ranges[middle]?.startingHashKey ?? 0n) <= hash) low = middle;
    else high = middle - 1;
  }
  return low;
}
