/**
 * When batches are flushed: a sealed batch as soon as a flush slot is free
 * (one flush at a time per key, in record order); an open batch when it
 * reaches `maxAgeMs`, on a timer; every batch when the shard's life ends
 * (drain); and the oldest open batches early when too much is buffered, in
 * which case `processRecords` waits for flushes (backpressure): a slow sink
 * slows the daemon down instead of growing memory.
 *
 * @module
 */

import type { Batch } from "./_batch.ts";
import type { AddResult, BatchBuffer } from "./_batch_buffer.ts";
import type { Flusher } from "./_flusher.ts";
import type { Lifecycle } from "./_lifecycle.ts";
import type { StatsCollector } from "./_stats_collector.ts";

/** The limits a {@linkcode FlushScheduler} keeps. */
export interface FlushLimits {
  readonly maxAgeMs: number;
  readonly maxConcurrentFlushes: number;
  readonly maxBufferedBytes: number;
  readonly maxBufferedRecords: number;
}

/** Starts flushes, and lets callers wait until flushes make progress. */
export class FlushScheduler<T> {
  readonly #limits: FlushLimits;
  readonly #buffer: BatchBuffer<T>;
  readonly #flusher: Flusher<T>;
  readonly #life: Lifecycle;
  readonly #stats: StatsCollector;
  readonly #flushes = new Set<Promise<void>>();
  #progressWaiters: (() => void)[] = [];

  constructor(
    limits: FlushLimits,
    buffer: BatchBuffer<T>,
    flusher: Flusher<T>,
    life: Lifecycle,
    stats: StatsCollector,
  ) {
    this.#limits = limits;
    this.#buffer = buffer;
    this.#flusher = flusher;
    this.#life = life;
    this.#stats = stats;
  }

  /** Flushes in progress. */
  get inFlight(): number {
    return this.#flushes.size;
  }

  /** Starts the age timer of a batch an item created; stops the age timers of the batches it sealed. */
  added(added: AddResult<T>): void {
    if (added.created && added.batch.state === "open") this.#startAgeTimer(added.batch);
    for (const batch of added.sealed) stopAgeTimer(batch);
  }

  /** Starts flushes while slots are free. */
  pump(): void {
    while (this.#life.healthy && this.#flushes.size < this.#limits.maxConcurrentFlushes) {
      const batch = this.#buffer.takeNext();
      if (batch === undefined) return;
      const task: Promise<void> = this.#flusher.flush(batch).then(() => {
        this.#flushes.delete(task);
        this.pump();
        this.wake();
      });
      this.#flushes.add(task);
    }
  }

  /** Waits while more than the buffer limits is held, sealing the oldest open batches to make room. */
  async relieve(): Promise<void> {
    const { maxBufferedBytes, maxBufferedRecords, maxConcurrentFlushes } = this.#limits;
    const over = () => this.#buffer.heldBytes > maxBufferedBytes || this.#buffer.heldRecords > maxBufferedRecords;
    if (!over()) return;
    this.#stats.backpressureWaited();
    while (this.#life.healthy && over()) {
      // Open batches never flush by themselves before their age: seal the oldest to make progress.
      while (this.#flushes.size + this.#buffer.waitingCount < maxConcurrentFlushes) {
        const oldest = this.#buffer.oldestOpen();
        if (oldest === undefined) break;
        this.#seal(oldest, "backpressure");
      }
      this.pump();
      await this.#nextProgress();
    }
  }

  /** Seals every batch and waits until all are done, a flush failed for good, or the life ended. */
  async drain(): Promise<void> {
    for (const batch of this.#buffer.sealAll("drain")) stopAgeTimer(batch);
    this.pump();
    while (this.#life.healthy && !this.#buffer.isEmpty) await this.#nextProgress();
  }

  /** Wakes every wait for progress: a flush ended, or the life did. */
  wake(): void {
    const waiters = this.#progressWaiters;
    this.#progressWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when every flush in progress has returned. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#flushes]);
  }

  #startAgeTimer(batch: Batch<T>): void {
    if (!Number.isFinite(this.#limits.maxAgeMs)) return;
    batch.timer = this.#life.timers.after(this.#limits.maxAgeMs, () => {
      batch.timer = undefined;
      this.#seal(batch, "age");
      this.pump();
    });
  }

  #seal(batch: Batch<T>, reason: "age" | "backpressure"): void {
    this.#buffer.seal(batch, reason);
    stopAgeTimer(batch);
  }

  #nextProgress(): Promise<void> {
    return new Promise<void>((resolve) => this.#progressWaiters.push(resolve));
  }
}

function stopAgeTimer<T>(batch: Batch<T>): void {
  batch.timer?.cancel();
  batch.timer = undefined;
}
