/**
 * One batch: the items of one key collected for a single `flush` call, with
 * the positions that checkpoint safety needs.
 *
 * @module
 */

import type { LogFields } from "../session/logger.ts";
import { formatPosition, type SequencePosition } from "../session/sequence.ts";
import type { TimerHandle } from "./_timer_set.ts";

/**
 * Where a batch is in its life. `open` collects items; `sealed` waits for a
 * flush slot; `flushing` is in the sink's hands; `done` was flushed or
 * dropped; `failed` could not be flushed and is held for good, so that no
 * checkpoint ever passes it.
 */
export type BatchState = "open" | "sealed" | "flushing" | "done" | "failed";

/** Why a batch stopped collecting items. */
export type SealReason = "records" | "bytes" | "age" | "backpressure" | "drain";

/** A batch of one key's items, in record order. */
export class Batch<T> {
  /** The key given by `keyOf`, or `undefined` without one. */
  readonly key: string | undefined;
  /** The mapped items, in record order. */
  readonly items: T[] = [];
  /** The last record accepted before this batch's first item, if any: what a checkpoint may cover while it is held. */
  readonly before: SequencePosition | undefined;
  /** The position of the first item's record. */
  readonly first: SequencePosition;
  /** The position of the last item's record. */
  last: SequencePosition;
  /** Bytes of the original record data. */
  bytes = 0;
  /** Where the batch is in its life. */
  state: BatchState = "open";
  /** Why it was sealed, once it was. */
  sealedBy: SealReason | undefined;
  /** The age timer of an open batch. */
  timer: TimerHandle | undefined;

  constructor(key: string | undefined, before: SequencePosition | undefined, first: SequencePosition) {
    this.key = key;
    this.before = before;
    this.first = first;
    this.last = first;
  }

  /** Appends one item. */
  push(item: T, bytes: number, position: SequencePosition): void {
    this.items.push(item);
    this.bytes += bytes;
    this.last = position;
  }
}

/** The log fields that name a batch: its key, its first and last record, and its size. */
export function describeBatch<T>(batch: Batch<T>): LogFields {
  return {
    key: batch.key,
    first: formatPosition(batch.first),
    last: formatPosition(batch.last),
    count: batch.items.length,
  };
}
