/**
 * The local daemon's stream content: generated events, or an NDJSON file
 * spread over the shards by partition key as Kinesis does.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { fileErrorReason } from "../cli/file_error_reason.ts";
import type { RecordMessage } from "../protocol/messages.ts";
import { encodeBase64, RecordBuilder } from "../testing/record_builder.ts";
import { shardIndexOf, type ShardRange } from "./_shard_ranges.ts";

/** The records of each shard, in sequence order. */
export type ShardRecords = RecordMessage[][];

/** A sequence number start per shard, so that each shard has its own, realistic, increasing numbers. */
function firstSequenceNumber(shard: number): string {
  return (49590338271490256608559692538361571095921575989136588898n + BigInt(shard) * 10n ** 40n).toString();
}

const EVENT_TYPES = ["page_view", "click", "add_to_cart", "purchase", "search"];
const FIRST_ARRIVAL = 1_700_000_000_000;

/**
 * `perShard` generated JSON events for each shard, deterministic (a second
 * run sees the same records), with partition keys that hash into the shard.
 */
export function generateRecords(ranges: readonly ShardRange[], perShard: number): ShardRecords {
  const keys = keysPerShard(ranges, 32);
  return ranges.map((_, shard) => {
    const pool = keys[shard] ?? [];
    const builder = new RecordBuilder({
      firstSequenceNumber: firstSequenceNumber(shard),
      partitionKey: (i) => pool[i % pool.length] ?? `user-${i}`,
      firstArrival: FIRST_ARRIVAL,
    });
    const payloads = Array.from({ length: perShard }, (_, i) => ({
      type: EVENT_TYPES[(i * 7 + shard) % EVENT_TYPES.length],
      userId: pool[i % pool.length],
      sessionId: `s-${shard}-${Math.floor(i / 25)}`,
      amount: (i % 13) * 3.25,
      at: new Date(FIRST_ARRIVAL + i * 10).toISOString(),
    }));
    return builder.build(payloads);
  });
}

/** `count` partition keys (`user-<n>`) per shard, found by hashing candidates. */
function keysPerShard(ranges: readonly ShardRange[], count: number): string[][] {
  const keys: string[][] = ranges.map(() => []);
  let missing = ranges.length;
  for (let n = 0; missing > 0; n++) {
    const key = `user-${n}`;
    const bucket = keys[shardIndexOf(key, ranges)];
    if (bucket === undefined || bucket.length >= count) continue;
    bucket.push(key);
    if (bucket.length === count) missing--;
  }
  return keys;
}

/** Standard base64 as the daemon writes it: standard alphabet, padded, no line breaks. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads NDJSON records (`partitionKey` and `data` as text, or `dataBase64`;
 * a `data` that is not a string is sent as its JSON text) and spreads them
 * over the shards by the MD5 of their partition key. A file that cannot be
 * read, a malformed line and a file without records are {@linkcode InputError}s.
 */
export async function readInputRecords(file: string, ranges: readonly ShardRange[]): Promise<ShardRecords> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read --input ${file}: ${fileErrorReason(error)}`);
  }
  const builders = ranges.map((_, shard) =>
    new RecordBuilder({ firstSequenceNumber: firstSequenceNumber(shard), firstArrival: FIRST_ARRIVAL })
  );
  const records: ShardRecords = ranges.map(() => []);
  const encoder = new TextEncoder();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    const where = `--input ${file} line ${i + 1}`;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`Cannot read ${where}: not JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InputError(`Cannot read ${where}: a record is a JSON object, got ${clip(line)}`);
    }
    const partitionKey = value.partitionKey;
    if (typeof partitionKey !== "string" || partitionKey === "") {
      throw new InputError(`Cannot read ${where}: "partitionKey" must be a non-empty string`);
    }
    let data: string;
    if (value.dataBase64 !== undefined) {
      if (value.data !== undefined) {
        throw new InputError(`Cannot read ${where}: a record has "data" or "dataBase64", not both`);
      }
      if (typeof value.dataBase64 !== "string" || !BASE64.test(value.dataBase64)) {
        throw new InputError(
          `Cannot read ${where}: "dataBase64" must be standard, padded base64 (A-Z, a-z, 0-9, +, /, =), got ${
            clip(JSON.stringify(value.dataBase64))
          }`,
        );
      }
      data = value.dataBase64;
    } else if (value.data === undefined) {
      throw new InputError(`Cannot read ${where}: a record needs "data" (text) or "dataBase64"`);
    } else {
      data = encodeBase64(encoder.encode(typeof value.data === "string" ? value.data : JSON.stringify(value.data)));
    }
    const shard = shardIndexOf(partitionKey, ranges);
    const [record] = (builders[shard] as RecordBuilder).build([""]);
    (records[shard] as RecordMessage[]).push({ ...(record as RecordMessage), data, partitionKey });
  }
  if (records.every((shard) => shard.length === 0)) {
    throw new InputError(
      `Cannot use --input ${file}: it holds no records; write one JSON record a line, ` +
        '{"partitionKey":"…","data":"text"} or {"partitionKey":"…","dataBase64":"…"}',
    );
  }
  return records;
}

function clip(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A problem with an input file, `--input` or `--checkpoints` (a usage error: exit code 2). */
export class InputError extends Error {
  /** @param message what is wrong, naming the file and line */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
