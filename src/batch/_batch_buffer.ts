/**
 * The batching rules, free of timers and I/O: which batch an item joins,
 * when a batch is sealed by count or size, which sealed batch may be flushed
 * next (one at a time per key, in order), and the safe position (the
 * highest position a checkpoint may cover).
 *
 * The safe position: batches are created in record order, so the oldest batch
 * not yet done holds the oldest unflushed record across all keys; every
 * record accepted before that batch's first item was flushed, skipped or
 * dropped. With nothing held, every accepted record is done.
 *
 * @module
 */

import type { SequencePosition } from "../session/sequence.ts";
import { Batch, type SealReason } from "./_batch.ts";

/** Size limits of one batch. */
export interface BatchLimits {
  /** Seal a batch when it holds this many items. */
  readonly maxRecords: number;
  /** Seal a batch when its record data reaches this many bytes; an item that would overflow it starts a new batch. */
  readonly maxBytes: number;
}

/** What {@linkcode BatchBuffer.add} did. */
export interface AddResult<T> {
  /** The batch the item joined. */
  readonly batch: Batch<T>;
  /** Whether that batch was created for this item. */
  readonly created: boolean;
  /** Batches sealed by this item, oldest first (possibly including `batch`). */
  readonly sealed: readonly Batch<T>[];
}

/** Buffers items in per-key batches and tracks which records are done. */
export class BatchBuffer<T> {
  readonly #limits: BatchLimits;
  readonly #open = new Map<string | undefined, Batch<T>>();
  #sealed: Batch<T>[] = [];
  /** Every batch created, in creation (= record) order; done ones are dropped from the head lazily. */
  #held: Batch<T>[] = [];
  #heldHead = 0;
  readonly #busyKeys = new Set<string | undefined>();
  #lastAccepted: SequencePosition | undefined;
  #records = 0;
  #bytes = 0;

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  /** Items in batches not yet done (open, sealed, flushing or failed). */
  get heldRecords(): number {
    return this.#records;
  }

  /** Record bytes in batches not yet done. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** Sealed batches waiting for a flush slot. */
  get waitingCount(): number {
    return this.#sealed.length;
  }

  /** The last record accepted (held or done), if any. */
  get lastAccepted(): SequencePosition | undefined {
    return this.#lastAccepted;
  }

  /** Whether no batch is held: every accepted record is done. */
  get isEmpty(): boolean {
    return this.#oldestHeld() === undefined;
  }

  /**
   * Accepts a record that needs no flush (skipped or dropped) and returns the
   * position accepted before it. Records must come in order.
   */
  accept(position: SequencePosition): SequencePosition | undefined {
    const before = this.#lastAccepted;
    this.#lastAccepted = position;
    return before;
  }

  /** Adds an item of `key` from the record at `position`; seals batches that reach a limit. */
  add(key: string | undefined, item: T, bytes: number, position: SequencePosition): AddResult<T> {
    const sealed: Batch<T>[] = [];
    let batch = this.#open.get(key);
    if (batch !== undefined && batch.items.length > 0 && batch.bytes + bytes > this.#limits.maxBytes) {
      this.seal(batch, "bytes");
      sealed.push(batch);
      batch = undefined;
    }
    const before = this.accept(position);
    let created = false;
    if (batch === undefined) {
      batch = new Batch<T>(key, before, position);
      this.#open.set(key, batch);
      this.#held.push(batch);
      created = true;
    }
    batch.push(item, bytes, position);
    this.#records++;
    this.#bytes += bytes;
    if (batch.items.length >= this.#limits.maxRecords) {
      this.seal(batch, "records");
      sealed.push(batch);
    } else if (batch.bytes >= this.#limits.maxBytes) {
      this.seal(batch, "bytes");
      sealed.push(batch);
    }
    return { batch, created, sealed };
  }

  /** Stops an open batch from collecting items and queues it for flushing. */
  seal(batch: Batch<T>, reason: SealReason): void {
    if (batch.state !== "open") return;
    batch.state = "sealed";
    batch.sealedBy = reason;
    if (this.#open.get(batch.key) === batch) this.#open.delete(batch.key);
    this.#sealed.push(batch);
  }

  /** Seals every open batch, oldest first; returns them. */
  sealAll(reason: SealReason): Batch<T>[] {
    const open = [...this.#open.values()];
    for (const batch of open) this.seal(batch, reason);
    return open;
  }

  /** The open batch holding the oldest record, if any. */
  oldestOpen(): Batch<T> | undefined {
    for (let i = this.#heldHead; i < this.#held.length; i++) {
      const batch = this.#held[i]!;
      if (batch.state === "open") return batch;
    }
    return undefined;
  }

  /**
   * The oldest sealed batch whose key has no flush in progress (order within
   * a key is preserved), now marked as flushing; `undefined` if none.
   */
  takeNext(): Batch<T> | undefined {
    const index = this.#sealed.findIndex((batch) => !this.#busyKeys.has(batch.key));
    if (index === -1) return undefined;
    const [batch] = this.#sealed.splice(index, 1);
    batch!.state = "flushing";
    this.#busyKeys.add(batch!.key);
    return batch;
  }

  /** A flushing batch was flushed or dropped: its records are done. */
  finish(batch: Batch<T>): void {
    if (batch.state !== "flushing") throw new Error(`Cannot finish a batch that is ${batch.state}`);
    batch.state = "done";
    this.#busyKeys.delete(batch.key);
    this.#records -= batch.items.length;
    this.#bytes -= batch.bytes;
  }

  /** A flushing batch failed for good: it stays held (and its key blocked) so that no checkpoint passes it. */
  fail(batch: Batch<T>): void {
    if (batch.state !== "flushing") throw new Error(`Cannot fail a batch that is ${batch.state}`);
    batch.state = "failed";
  }

  /**
   * The highest position such that every record at or below it is done: the
   * record accepted just before the oldest held batch, or the last record
   * accepted when nothing is held. `undefined` when nothing may be
   * checkpointed yet.
   */
  safePosition(): SequencePosition | undefined {
    const oldest = this.#oldestHeld();
    return oldest === undefined ? this.#lastAccepted : oldest.before;
  }

  #oldestHeld(): Batch<T> | undefined {
    while (this.#heldHead < this.#held.length && this.#held[this.#heldHead]!.state === "done") this.#heldHead++;
    if (this.#heldHead > 1024 && this.#heldHead * 2 > this.#held.length) {
      this.#held = this.#held.slice(this.#heldHead);
      this.#heldHead = 0;
    }
    return this.#held[this.#heldHead];
  }
}
