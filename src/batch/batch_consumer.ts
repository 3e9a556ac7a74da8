/**
 * `BatchConsumer`: a record processor that maps records to items, collects
 * them in per-key batches, flushes a batch when it is full (count or bytes)
 * or old, and checkpoints only positions below which everything was flushed.
 *
 * @module
 */

import { CheckpointError } from "../session/checkpoint_error.ts";
import { createLogger, type LogFields, type LogFunction } from "../session/logger.ts";
import type { KinesisRecord } from "../session/record.ts";
import type {
  Checkpointer,
  InitializeInput,
  LeaseLostInput,
  ProcessRecordsInput,
  RecordProcessor,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "../session/record_processor.ts";
import { backoffDelay } from "../session/retry.ts";
import { compareSequence, type SequencePosition } from "../session/sequence.ts";
import { type Batch, formatPosition, type SealReason } from "./batch.ts";
import { BatchBuffer } from "./batch_buffer.ts";
import { BatchError } from "./batch_error.ts";
import {
  type BatchConsumerOptions,
  type FailedBatch,
  type FlushContext,
  resolveBatchOptions,
  type ResolvedBatchOptions,
} from "./batch_options.ts";
import { type BatchStats, StatsCollector } from "./batch_stats.ts";
import { type TimerHandle, TimerSet } from "./timer_set.ts";

type Life = "running" | "closed";

/**
 * A {@linkcode RecordProcessor} that forwards records to a sink in batches.
 *
 * - A batch is flushed when it holds `maxRecords` items, when its record
 *   data reaches `maxBytes`, or when its oldest item is `maxAgeMs` old (on a
 *   timer, also between the daemon's actions).
 * - Checkpoints never pass a record that is not flushed: the position
 *   checkpointed is the highest one at or below which every record was
 *   flushed, skipped or dropped (the minimum over all keys' unflushed
 *   batches). A checkpoint due between actions is sent by the core at the
 *   start of the next action.
 * - `shutdownRequested` flushes everything, then checkpoints; `shardEnded`
 *   flushes everything, then checkpoints `SHARD_END`.
 * - A flush that still fails after its retries fails the process (unless
 *   `onFlushError` drops the batch): it is logged at once, and thrown from
 *   the next action (`processRecords`, `shardEnded` or `shutdownRequested`),
 *   because only an action can end the session. Until then no checkpoint
 *   passes the batch, and the daemon restarts from the last checkpoint:
 *   nothing is lost. On an idle shard the next action may come late.
 * - One instance per shard (one child process per shard under the daemon).
 *
 * @example Batch JSON events per table
 * ```ts ignore
 * import { run } from "@kcl/multilang";
 * import { BatchConsumer } from "@kcl/multilang/batch";
 *
 * interface Event { table: string; id: string }
 * const sink = { async write(table: string, events: Event[]) { console.error(table, events.length) } };
 *
 * await run(new BatchConsumer<Event>({
 *   map: (record) => record.json<Event>(),
 *   keyOf: (event) => event.table,
 *   flush: async (events, { key }) => { await sink.write(key!, events); },
 *   maxRecords: 500, maxBytes: 4 * 1024 * 1024, maxAgeMs: 10_000,
 * }));
 * ```
 *
 * @example Drive it by hand and watch the flushes and checkpoints
 * ```ts
 * import { createRecord } from "@kcl/multilang";
 * import { BatchConsumer, type Checkpointer, type SequencePosition } from "@kcl/multilang/batch";
 * import assert from "node:assert/strict";
 *
 * const flushed: string[][] = [];
 * const checkpoints: string[] = [];
 * const checkpointer = {
 *   checkpoint: (position?: SequencePosition) => {
 *     checkpoints.push(position === undefined ? "SHARD_END" : position.sequenceNumber);
 *     return Promise.resolve();
 *   },
 * } as Checkpointer;
 * const consumer = new BatchConsumer<string>({
 *   map: (record) => record.text(),
 *   flush: (items) => void flushed.push(items),
 *   maxRecords: 2,
 *   log: () => {},
 * });
 * const records = ["1", "2", "3"].map((sequenceNumber) =>
 *   createRecord({ data: btoa(`r${sequenceNumber}`), partitionKey: "pk", sequenceNumber, subSequenceNumber: 0, approximateArrivalTimestamp: null })
 * );
 * consumer.initialize({ shardId: "shardId-0", sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
 * await consumer.processRecords({ records, millisBehindLatest: 0, checkpointer });
 * await consumer.shardEnded({ checkpointer });
 * assert.deepEqual(flushed, [["r1", "r2"], ["r3"]]);
 * assert.deepEqual(checkpoints.slice(-2), ["3", "SHARD_END"]);
 * ```
 */
export class BatchConsumer<T> implements RecordProcessor {
  readonly #options: ResolvedBatchOptions<T>;
  readonly #log: LogFunction;
  readonly #buffer: BatchBuffer<T>;
  readonly #timers = new TimerSet();
  readonly #stats = new StatsCollector();
  readonly #abort = new AbortController();
  readonly #flushes = new Set<Promise<void>>();
  #progressWaiters: (() => void)[] = [];
  #shardId = "unknown";
  #initialized = false;
  #life: Life = "running";
  #failure: Error | undefined;
  #checkpointer: Checkpointer | undefined;
  /** The last position checkpointed successfully. */
  #checkpointed: SequencePosition | undefined;
  /** The highest position requested (answered or not). */
  #requested: SequencePosition | undefined;
  /** The request in progress (with its bookkeeping), if any. */
  #checkpointChain: Promise<void> | undefined;
  #checkpointAgain = false;
  #checkpointsEnded = false;
  #lastCheckpointAt = -Infinity;
  #throttleTimer: TimerHandle | undefined;
  #statsTimer: TimerHandle | undefined;
  /** While shutdownRequested / shardEnded drain, they checkpoint themselves. */
  #finalizing = false;

  /**
   * Validates the options; nothing starts before `initialize`.
   *
   * @param options what to map, how to key and where to flush, and the limits
   */
  constructor(options: BatchConsumerOptions<T>) {
    this.#options = resolveBatchOptions(options);
    this.#log = options.log ?? defaultLog();
    this.#buffer = new BatchBuffer<T>(this.#options);
  }

  /** The counters: records in / flushed / skipped / dropped, batches, flush latency, lag, buffer. */
  get stats(): BatchStats {
    return this.#stats.snapshot({
      records: this.#buffer.heldRecords,
      bytes: this.#buffer.heldBytes,
      inFlight: this.#flushes.size,
    });
  }

  /** Records the shard and starts the periodic stats log. */
  initialize(input: InitializeInput): void {
    if (this.#initialized) {
      throw new Error("Cannot initialize a BatchConsumer twice: create one BatchConsumer per shard");
    }
    this.#initialized = true;
    this.#shardId = input.shardId;
    this.#startStatsTimer();
  }

  /**
   * Maps and buffers the records, starts flushes of full batches, and waits
   * for flushes while too much is buffered. Throws a failure remembered
   * from a background flush.
   */
  async processRecords(input: ProcessRecordsInput): Promise<void> {
    this.#throwIfUnusable("process records");
    this.#checkpointer = input.checkpointer;
    this.#stats.millisBehindLatest = input.millisBehindLatest;
    this.#startStatsTimer();
    // A request made between actions was deferred by the core: it is sent first thing in this action.
    const deferred = this.#checkpointChain;
    const { map, keyOf } = this.#options;
    for (const record of input.records) {
      const position: SequencePosition = {
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: record.subSequenceNumber,
      };
      const lastAccepted = this.#buffer.lastAccepted;
      // The core retries processRecords with the same records when configured to: take each record once.
      if (lastAccepted !== undefined && compareSequence(position, lastAccepted) <= 0) continue;
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
      this.#stats.recordsIn++;
      if (item === undefined) {
        this.#buffer.accept(position);
        this.#stats.recordsSkipped++;
        continue;
      }
      const added = this.#buffer.add(key, item, record.data.byteLength, position);
      if (added.created && added.batch.state === "open") this.#startAgeTimer(added.batch);
      for (const batch of added.sealed) this.#sealed(batch);
    }
    this.#pump();
    // Once the deferred request is answered, what was flushed since can be committed in this action.
    if (deferred !== undefined) await deferred;
    // Skipped records may move the safe position without any flush.
    this.#maybeCheckpoint();
    await this.#applyBackpressure();
    this.#throwIfUnusable("process records");
  }

  /** Flushes everything, checkpoints what was flushed, then stops the timers. */
  async shutdownRequested(input: ShutdownRequestedInput): Promise<void> {
    if (this.#life === "closed") return;
    await this.#finish(input.checkpointer, "shutdown requested");
    this.#timers.clear();
    this.#statsTimer = undefined;
    this.#throttleTimer = undefined;
    this.#logStats("Batch consumer stats at shutdown");
  }

  /** Flushes everything, then checkpoints `SHARD_END` so that the shard's children can start. */
  async shardEnded(input: ShardEndedInput): Promise<void> {
    this.#throwIfUnusable("end the shard");
    await this.#finish(input.checkpointer, "shard ended");
    if (!this.#checkpointsEnded) await input.checkpointer.checkpoint();
    this.#end("Batch consumer stats at shard end");
  }

  /** Another worker owns the shard: stops timers and retries; unflushed batches are left to the next owner. */
  leaseLost(_input: LeaseLostInput): void {
    if (this.#buffer.heldRecords > 0) {
      this.#log(
        "info",
        "Lease lost; leaving unflushed records to the next owner",
        this.#fields({
          records: this.#buffer.heldRecords,
        }),
      );
    }
    this.#end("Batch consumer stats at lease loss");
  }

  /**
   * Stops everything at once: timers, retries, and pending waits; flushes in
   * progress get an aborted signal. Resolves when they have returned.
   * Nothing is flushed or checkpointed: use it in tests and when embedding.
   */
  async close(): Promise<void> {
    this.#end(undefined);
    await Promise.allSettled([...this.#flushes]);
  }

  /** Same as {@linkcode BatchConsumer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #finish(checkpointer: Checkpointer, why: string): Promise<void> {
    this.#checkpointer = checkpointer;
    this.#finalizing = true;
    this.#throttleTimer?.cancel();
    this.#throttleTimer = undefined;
    try {
      for (const batch of this.#buffer.sealAll("drain")) this.#sealed(batch);
      this.#pump();
      while (this.#life === "running" && this.#failure === undefined && !this.#buffer.isEmpty) {
        await this.#nextProgress();
      }
      // Even after a failure, what was flushed below the failed batch is committed.
      const safe = this.#buffer.safePosition();
      if (
        safe !== undefined && !this.#checkpointsEnded &&
        (this.#checkpointed === undefined || compareSequence(safe, this.#checkpointed) > 0)
      ) {
        this.#log(
          "debug",
          `Checkpointing after flushing everything (${why})`,
          this.#fields({ at: formatPosition(safe) }),
        );
        await checkpointer.checkpoint(safe);
        this.#checkpointDone(safe);
      }
    } finally {
      this.#finalizing = false;
    }
    this.#throwIfUnusable(why === "shard ended" ? "end the shard" : "shut down");
  }

  async #mapFailed(record: KinesisRecord, position: SequencePosition, cause: unknown): Promise<void> {
    const error = new BatchError("map", {
      shardId: this.#shardId,
      key: undefined,
      first: position,
      last: position,
      count: 1,
      attempts: 1,
    }, cause);
    await this.#decide(error, {
      shardId: this.#shardId,
      key: undefined,
      items: [],
      record,
      first: position,
      last: position,
    });
    // Dropped: the record counts as done.
    this.#buffer.accept(position);
    this.#stats.recordsIn++;
    this.#stats.recordsDropped++;
  }

  /** Resolves if `onFlushError` drops the batch (and logs it); throws the error that fails the process otherwise. */
  async #decide(error: BatchError, batch: FailedBatch<T>): Promise<void> {
    const handler = this.#options.onFlushError;
    if (handler === undefined) throw error;
    const decision = await handler(error, batch);
    if (decision !== "drop") throw error;
    this.#log(
      "error",
      error.kind === "map"
        ? "Dropping a record that could not be mapped (onFlushError)"
        : "Dropping a batch (onFlushError)",
      this.#fields({
        key: error.key,
        first: formatPosition(error.first),
        last: formatPosition(error.last),
        count: error.count,
        error,
      }),
    );
  }

  #startAgeTimer(batch: Batch<T>): void {
    if (!Number.isFinite(this.#options.maxAgeMs)) return;
    batch.timer = this.#timers.after(this.#options.maxAgeMs, () => {
      batch.timer = undefined;
      this.#seal(batch, "age");
      this.#pump();
    });
  }

  #seal(batch: Batch<T>, reason: SealReason): void {
    this.#buffer.seal(batch, reason);
    this.#sealed(batch);
  }

  #sealed(batch: Batch<T>): void {
    batch.timer?.cancel();
    batch.timer = undefined;
  }

  /** Starts flushes while slots are free. */
  #pump(): void {
    while (
      this.#life === "running" && this.#failure === undefined &&
      this.#flushes.size < this.#options.maxConcurrentFlushes
    ) {
      const batch = this.#buffer.takeNext();
      if (batch === undefined) return;
      const task: Promise<void> = this.#flush(batch).then(() => {
        this.#flushes.delete(task);
        this.#pump();
        this.#progress();
      });
      this.#flushes.add(task);
    }
  }

  /** Flushes one batch with retries; never rejects. */
  async #flush(batch: Batch<T>): Promise<void> {
    const { retry } = this.#options;
    for (let attempt = 1;; attempt++) {
      const context: FlushContext = {
        shardId: this.#shardId,
        key: batch.key,
        first: batch.first,
        last: batch.last,
        attempt,
        signal: this.#abort.signal,
      };
      const started = performance.now();
      try {
        await this.#options.flush(batch.items, context);
      } catch (cause) {
        if (this.#life !== "running") return;
        if (attempt < retry.attempts) {
          this.#stats.flushRetries++;
          const delayMs = backoffDelay(attempt, retry);
          this.#log(
            "warn",
            "Flush failed; retrying",
            this.#fields({ ...describeBatch(batch), attempt, delayMs, error: cause }),
          );
          if (!await this.#timers.sleep(delayMs)) return;
          if (this.#life !== "running") return;
          continue;
        }
        this.#flushFailed(batch, attempt, cause);
        return;
      }
      if (this.#life !== "running") return;
      this.#buffer.finish(batch);
      this.#stats.flushed(batch.items.length, performance.now() - started);
      this.#maybeCheckpoint();
      return;
    }
  }

  #flushFailed(batch: Batch<T>, attempts: number, cause: unknown): void {
    const error = new BatchError("flush", {
      shardId: this.#shardId,
      key: batch.key,
      first: batch.first,
      last: batch.last,
      count: batch.items.length,
      attempts,
    }, cause);
    const failed: FailedBatch<T> = {
      shardId: this.#shardId,
      key: batch.key,
      items: batch.items,
      record: undefined,
      first: batch.first,
      last: batch.last,
    };
    // Until decided the batch stays in flight: its key stays blocked and no checkpoint passes it.
    const decided = this.#decide(error, failed).then(
      () => {
        if (this.#life !== "running") return;
        this.#buffer.finish(batch);
        this.#stats.batchesDropped++;
        this.#stats.recordsDropped += batch.items.length;
        this.#maybeCheckpoint();
      },
      (fatal: unknown) => {
        if (this.#life !== "running") return;
        this.#buffer.fail(batch);
        this.#failure ??= fatal instanceof Error ? fatal : new Error(String(fatal));
        this.#log(
          "error",
          "Flush failed for good; the next action fails so that the daemon restarts from the last checkpoint",
          this.#fields({ ...describeBatch(batch), error: fatal }),
        );
      },
    );
    const task: Promise<void> = decided.then(() => {
      this.#flushes.delete(task);
      this.#pump();
      this.#progress();
    });
    this.#flushes.add(task);
  }

  async #applyBackpressure(): Promise<void> {
    const { maxBufferedBytes, maxBufferedRecords, maxConcurrentFlushes } = this.#options;
    const over = () => this.#buffer.heldBytes > maxBufferedBytes || this.#buffer.heldRecords > maxBufferedRecords;
    if (!over()) return;
    this.#stats.backpressureWaits++;
    while (this.#life === "running" && this.#failure === undefined && over()) {
      // Open batches never flush by themselves before their age: seal the oldest to make progress.
      while (this.#flushes.size + this.#buffer.waitingCount < maxConcurrentFlushes) {
        const oldest = this.#buffer.oldestOpen();
        if (oldest === undefined) break;
        this.#seal(oldest, "backpressure");
      }
      this.#pump();
      await this.#nextProgress();
    }
  }

  #nextProgress(): Promise<void> {
    return new Promise<void>((resolve) => this.#progressWaiters.push(resolve));
  }

  #progress(): void {
    const waiters = this.#progressWaiters;
    this.#progressWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Requests a checkpoint at the safe position if it moved, subject to the
   * interval. Between actions the core defers the request to the start of
   * the next action. One request at a time: a later one follows when it is
   * answered.
   */
  #maybeCheckpoint(): void {
    const checkpointer = this.#checkpointer;
    if (
      checkpointer === undefined || this.#finalizing || this.#checkpointsEnded || this.#life !== "running"
    ) return;
    const safe = this.#buffer.safePosition();
    if (safe === undefined || (this.#requested !== undefined && compareSequence(safe, this.#requested) <= 0)) return;
    const wait = this.#lastCheckpointAt + this.#options.checkpointIntervalMs - performance.now();
    if (wait > 0) {
      this.#throttleTimer ??= this.#timers.after(wait, () => {
        this.#throttleTimer = undefined;
        this.#maybeCheckpoint();
      });
      return;
    }
    if (this.#checkpointChain !== undefined) {
      this.#checkpointAgain = true;
      return;
    }
    this.#requested = safe;
    this.#lastCheckpointAt = performance.now();
    this.#checkpointChain = checkpointer.checkpoint(safe).then(
      () => this.#checkpointDone(safe),
      (error: unknown) => this.#checkpointFailed(safe, error),
    ).then(() => {
      this.#checkpointChain = undefined;
      if (this.#checkpointAgain) {
        this.#checkpointAgain = false;
        this.#maybeCheckpoint();
      }
    });
  }

  #checkpointDone(position: SequencePosition): void {
    if (this.#checkpointed === undefined || compareSequence(position, this.#checkpointed) > 0) {
      this.#checkpointed = position;
      this.#stats.checkpoint = position;
    }
    if (this.#requested === undefined || compareSequence(position, this.#requested) > 0) this.#requested = position;
  }

  #checkpointFailed(position: SequencePosition, error: unknown): void {
    this.#requested = this.#checkpointed;
    if (error instanceof CheckpointError && error.code === "ShutdownException") {
      this.#checkpointsEnded = true;
      this.#log("info", "Checkpointing ended: the lease is gone", this.#fields({ at: formatPosition(position) }));
      return;
    }
    // Not a loss: the checkpoint just did not move; the next flush tries a higher one.
    this.#log("warn", "Background checkpoint failed", this.#fields({ at: formatPosition(position), error }));
  }

  #startStatsTimer(): void {
    const interval = this.#options.statsIntervalMs;
    if (interval === 0 || !Number.isFinite(interval) || this.#statsTimer !== undefined || this.#life !== "running") {
      return;
    }
    this.#statsTimer = this.#timers.after(interval, () => {
      this.#statsTimer = undefined;
      this.#logStats("Batch consumer stats");
      this.#startStatsTimer();
    });
  }

  #logStats(message: string): void {
    const { checkpoint, ...counters } = this.stats;
    this.#log("info", message, this.#fields({ ...counters, checkpoint: checkpoint && formatPosition(checkpoint) }));
  }

  #throwIfUnusable(action: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#life === "closed") throw new Error(`Cannot ${action}: the BatchConsumer is closed`);
  }

  /** The end of the shard's life: no timer, retry or wait survives it. */
  #end(statsMessage: string | undefined): void {
    if (this.#life === "closed") return;
    this.#life = "closed";
    this.#timers.clear();
    this.#statsTimer = undefined;
    this.#throttleTimer = undefined;
    this.#abort.abort(new Error("The BatchConsumer is closed"));
    this.#progress();
    if (statsMessage !== undefined) this.#logStats(statsMessage);
  }

  #fields(fields: LogFields): LogFields {
    return { shardId: this.#shardId, ...fields };
  }
}

function describeBatch<T>(batch: Batch<T>): LogFields {
  return {
    key: batch.key,
    first: formatPosition(batch.first),
    last: formatPosition(batch.last),
    count: batch.items.length,
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

function defaultLog(): LogFunction {
  // stderr is the daemon's log channel; run() keeps console.error there.
  // deno-lint-ignore no-console
  return createLogger((line) => console.error(line.trimEnd()), { name: "kcl-batch" });
}
