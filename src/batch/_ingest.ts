/**
 * Taking records in: each record is mapped to an item (or skipped, or
 * dropped when `map` throws and `onBatchError` says so), keyed, and added to
 * its batch. A record the core delivers again (a retried `processRecords`)
 * is taken once.
 *
 * @module
 */

import type { KinesisRecord } from "../session/record.ts";
import { compareSequence, type SequencePosition } from "../session/sequence.ts";
import type { AddResult, BatchBuffer } from "./_batch_buffer.ts";
import type { FailurePolicy } from "./_failure_policy.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { StatsCollector } from "./_stats_collector.ts";
import { BatchError } from "./batch_error.ts";
import type { BatchConsumerOptions } from "./batch_options.ts";

/** What an {@linkcode Ingest} works with. */
export interface IngestParts<T> {
  readonly map: BatchConsumerOptions<T>["map"];
  readonly keyOf: BatchConsumerOptions<T>["keyOf"];
  readonly buffer: BatchBuffer<T>;
  readonly failures: FailurePolicy<T>;
  readonly stats: StatsCollector;
  readonly log: ShardLog;
  /** Called with each item added: which batch it joined and which batches it sealed. */
  readonly onAdded: (added: AddResult<T>) => void;
}

/** Maps records and adds their items to the buffer. */
export class Ingest<T> {
  readonly #parts: IngestParts<T>;

  constructor(parts: IngestParts<T>) {
    this.#parts = parts;
  }

  /** Takes the records in order. Rejects with the failure of a record `map` threw on, unless it was dropped. */
  async take(records: readonly KinesisRecord[]): Promise<void> {
    const { map, keyOf, buffer, stats, onAdded } = this.#parts;
    // The core retries processRecords with the same records when configured to: take each record once.
    // Records come in order, so once one is new, the rest are too.
    const lastAccepted = buffer.lastAccepted;
    let fresh = lastAccepted === undefined;
    for (const record of records) {
      const position: SequencePosition = {
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: record.subSequenceNumber,
      };
      if (!fresh) {
        if (compareSequence(position, lastAccepted!) <= 0) continue;
        fresh = true;
      }
      let item: T | undefined;
      let key: string | undefined;
      try {
        const mapped = map(record);
        item = isPromiseLike(mapped) ? await mapped : mapped;
        if (item !== undefined && keyOf !== undefined) key = keyOf(item, record);
      } catch (error) {
        await this.#mapFailed(record, position, error);
        continue;
      }
      if (item === undefined) {
        buffer.accept(position);
        stats.skipped();
        continue;
      }
      stats.mapped();
      onAdded(buffer.add(key, item, record.data.byteLength, position));
    }
  }

  async #mapFailed(record: KinesisRecord, position: SequencePosition, cause: unknown): Promise<void> {
    const { buffer, failures, stats, log } = this.#parts;
    const error = new BatchError("map", {
      shardId: log.shardId,
      key: undefined,
      first: position,
      last: position,
      count: 1,
      attempts: 1,
    }, cause);
    await failures.drop(error, {
      shardId: log.shardId,
      key: undefined,
      items: [],
      record,
      first: position,
      last: position,
    });
    // Dropped: the record counts as done.
    buffer.accept(position);
    stats.mapDropped();
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
