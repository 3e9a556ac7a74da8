/**
 * Options of {@linkcode BatchConsumer}, their defaults and validation.
 *
 * @module
 */

import type { LogFunction } from "../session/logger.ts";
import type { KinesisRecord } from "../session/record.ts";
import { type ResolvedRetry, resolveRetry, type RetryOptions } from "../session/retry.ts";
import type { SequencePosition } from "../session/sequence.ts";
import type { BatchError } from "./batch_error.ts";

/**
 * What a `flush` call is told besides the items.
 *
 * @example Write idempotently per key
 * ```ts
 * import { BatchConsumer, type FlushContext } from "@kcl/multilang/batch";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const files = new Map<string, string[]>();
 * const consumer = new BatchConsumer<{ table: string; id: number }>({
 *   map: (record) => record.json(),
 *   keyOf: (event) => event.table,
 *   flush(events, context: FlushContext) {
 *     // `first` names the batch: a batch flushed again after a restart overwrites itself.
 *     const name = `${context.key}-${context.first.sequenceNumber}`;
 *     files.set(name, events.map((event) => String(event.id)));
 *   },
 *   log: () => {},
 * });
 * const daemon = FakeDaemon.inProcess(consumer);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build([{ table: "a", id: 1 }, { table: "b", id: 2 }]));
 * await daemon.shardEnded();
 * await daemon.end();
 * assert.equal(files.size, 2);
 * ```
 */
export interface FlushContext {
  /** The shard. */
  readonly shardId: string;
  /** The batch's key from `keyOf`, or `undefined` without `keyOf`. */
  readonly key: string | undefined;
  /** The first record of the batch (for idempotent writes: the same batch may be flushed again after a restart). */
  readonly first: SequencePosition;
  /** The last record of the batch. */
  readonly last: SequencePosition;
  /** 1 for the first try, then 2, 3, … for retries. */
  readonly attempt: number;
  /** Aborted when the lease is lost or the consumer is closed: the result no longer matters. */
  readonly signal: AbortSignal;
}

/**
 * A batch (or a single record) that failed, as shown to `onBatchError`.
 *
 * @example Drop poison records, fail on a broken sink
 * ```ts
 * import { BatchConsumer, type FailedBatch } from "@kcl/multilang/batch";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const dropped: string[] = [];
 * const consumer = new BatchConsumer<unknown>({
 *   map: (record) => record.json(),
 *   flush: () => {},
 *   onBatchError(error, batch: FailedBatch<unknown>) {
 *     if (error.kind !== "map") throw error; // a sink failure: fail, nothing is lost
 *     dropped.push(batch.first.sequenceNumber);
 *     return "drop";
 *   },
 *   log: () => {},
 * });
 * const daemon = FakeDaemon.inProcess(consumer);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build([{ ok: true }, "not json"]));
 * await daemon.shardEnded();
 * assert.equal(await daemon.end(), 0);
 * assert.equal(dropped.length, 1);
 * ```
 */
export interface FailedBatch<T> {
  /** The shard. */
  readonly shardId: string;
  /** The batch's key, if any (`undefined` for a failed `map`). */
  readonly key: string | undefined;
  /** The batch's items (empty for a failed `map`). */
  readonly items: readonly T[];
  /** The record `map` (or `keyOf`) threw on; `undefined` for a failed flush. */
  readonly record: KinesisRecord | undefined;
  /** The first record concerned. */
  readonly first: SequencePosition;
  /** The last record concerned. */
  readonly last: SequencePosition;
}

/**
 * Options of {@linkcode BatchConsumer}.
 *
 * @example Batch two records at a time
 * ```ts
 * import { BatchConsumer, type BatchConsumerOptions } from "@kcl/multilang/batch";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const written: string[][] = [];
 * const options: BatchConsumerOptions<string> = {
 *   map: (record) => record.text(),
 *   flush: (items) => void written.push(items),
 *   maxRecords: 2,
 *   log: () => {},
 * };
 * const daemon = FakeDaemon.inProcess(new BatchConsumer(options));
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a", "b", "c"]));
 * await daemon.shardEnded(); // flushes the rest, then checkpoints SHARD_END
 * assert.equal(await daemon.end(), 0);
 * assert.deepEqual(written, [["a", "b"], ["c"]]);
 * ```
 */
export interface BatchConsumerOptions<T> {
  /**
   * Turns a record into the item to flush, or `undefined` to skip it (a
   * skipped record counts as done). May be async. A throw is handled like a
   * failed flush (see `onBatchError`), without retries.
   */
  readonly map: (record: KinesisRecord) => T | undefined | Promise<T | undefined>;
  /** Separate batches per key (a table, a tenant, a file). @default {one batch for everything} */
  readonly keyOf?: (item: T, record: KinesisRecord) => string;
  /**
   * Writes one batch to the sink. Resolve only when the data is durable:
   * the checkpoint moves past these records after it resolves. Retried with
   * the same array on failure (do not mutate it).
   */
  readonly flush: (items: T[], context: FlushContext) => void | Promise<void>;
  /** Flush a batch when it holds this many items. @default {500} */
  readonly maxRecords?: number;
  /**
   * Flush a batch when its original record data reaches this many bytes; a
   * record that would push it over starts a new batch. @default {4 MiB}
   */
  readonly maxBytes?: number;
  /**
   * Flush a batch when its oldest item is this old, on a timer, even when no
   * records arrive. `Infinity` turns age flushes off. @default {10000}
   */
  readonly maxAgeMs?: number;
  /** Checkpoint after flushes at most this often; 0 = as soon as a flush allows. @default {0} */
  readonly checkpointIntervalMs?: number;
  /** Flushes of different keys that may run at once (order within a key is always kept). @default {1} */
  readonly maxConcurrentFlushes?: number;
  /**
   * When more record bytes than this are buffered (unflushed), `processRecords`
   * waits for flushes before it returns: a slow sink slows the daemon down
   * instead of growing memory. @default {4 * maxBytes}
   */
  readonly maxBufferedBytes?: number;
  /** Same, counted in records. @default {max(4 * maxRecords, 10000)} (one full daemon batch never waits) */
  readonly maxBufferedRecords?: number;
  /** Retries of a failing `flush`, with exponential backoff and full jitter. @default {{ attempts: 5, baseDelayMs: 200, maxDelayMs: 10000 }} */
  readonly retry?: RetryOptions;
  /**
   * Called with every {@linkcode BatchError}: a batch whose `flush` still
   * fails after its retries (`error.kind === "flush"`), or a record `map` or
   * `keyOf` threw on (`"map"`). Return `"drop"` to drop it (it counts as
   * done, the checkpoint moves past it, and the drop is logged as an error);
   * throw (or return anything else) to fail. Without it, failures fail the
   * process without checkpointing past them: nothing is lost.
   */
  readonly onBatchError?: (error: BatchError, batch: FailedBatch<T>) => "drop" | void | Promise<"drop" | void>;
  /** Where log events go. @default {a logger writing `kcl-batch:` lines to stderr through `console.error`} */
  readonly log?: LogFunction;
  /** Log the stats this often; 0 = never (they are still logged when the shard's life ends). @default {60000} */
  readonly statsIntervalMs?: number;
}

/** Options with every default applied. */
export interface ResolvedBatchOptions<T> {
  readonly map: BatchConsumerOptions<T>["map"];
  readonly keyOf: BatchConsumerOptions<T>["keyOf"];
  readonly flush: BatchConsumerOptions<T>["flush"];
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly checkpointIntervalMs: number;
  readonly maxConcurrentFlushes: number;
  readonly maxBufferedBytes: number;
  readonly maxBufferedRecords: number;
  readonly retry: ResolvedRetry;
  readonly onBatchError: BatchConsumerOptions<T>["onBatchError"];
  readonly statsIntervalMs: number;
}

const DEFAULT_RETRY: ResolvedRetry = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Applies defaults and rejects nonsense with a clear message. */
export function resolveBatchOptions<T>(options: BatchConsumerOptions<T>): ResolvedBatchOptions<T> {
  if (typeof options?.map !== "function") throw new TypeError("Cannot create BatchConsumer: map is not a function");
  if (typeof options.flush !== "function") {
    throw new TypeError("Cannot create BatchConsumer: flush is not a function");
  }
  if ("onFlushError" in options) {
    // A JavaScript caller of 0.1 would otherwise lose its drop policy without a word.
    throw new TypeError("Cannot create BatchConsumer: onFlushError was renamed onBatchError in 0.2.0");
  }
  if (options.keyOf !== undefined && typeof options.keyOf !== "function") {
    throw new TypeError("Cannot create BatchConsumer: keyOf is not a function");
  }
  const maxRecords = options.maxRecords ?? 500;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const resolved: ResolvedBatchOptions<T> = {
    map: options.map,
    keyOf: options.keyOf,
    flush: options.flush,
    maxRecords,
    maxBytes,
    maxAgeMs: options.maxAgeMs ?? 10_000,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
    maxConcurrentFlushes: options.maxConcurrentFlushes ?? 1,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * maxBytes,
    maxBufferedRecords: options.maxBufferedRecords ?? Math.max(4 * maxRecords, 10_000),
    retry: resolveRetry(options.retry, DEFAULT_RETRY),
    onBatchError: options.onBatchError,
    statsIntervalMs: options.statsIntervalMs ?? 60_000,
  };
  positiveInteger("maxRecords", resolved.maxRecords);
  positiveInteger("maxConcurrentFlushes", resolved.maxConcurrentFlushes);
  positive("maxBytes", resolved.maxBytes);
  positive("maxBufferedBytes", resolved.maxBufferedBytes);
  positive("maxBufferedRecords", resolved.maxBufferedRecords);
  atLeastZero("maxAgeMs", resolved.maxAgeMs);
  atLeastZero("checkpointIntervalMs", resolved.checkpointIntervalMs);
  atLeastZero("statsIntervalMs", resolved.statsIntervalMs);
  return resolved;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot create BatchConsumer: ${name} must be an integer >= 1, got ${value}`);
  }
}

function positive(name: string, value: number): void {
  if (typeof value !== "number" || !(value > 0)) {
    throw new RangeError(`Cannot create BatchConsumer: ${name} must be > 0, got ${value}`);
  }
}

function atLeastZero(name: string, value: number): void {
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`Cannot create BatchConsumer: ${name} must be >= 0, got ${value}`);
  }
}
