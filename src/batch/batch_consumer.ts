/**
 * `BatchConsumer`: a record processor that maps records to items, collects
 * them in per-key batches, flushes a batch when it is full (count or bytes)
 * or old, and checkpoints only positions below which everything was flushed.
 *
 * The facade of the batch layer: each daemon action is told here in a few
 * steps; the parts behind it are ingest (`_ingest.ts`), flush scheduling and
 * backpressure (`_flush_scheduler.ts`, `_flusher.ts`), the checkpoint policy
 * (`_checkpoint_policy.ts`), failures (`_failure_policy.ts`), the life of
 * the shard (`_lifecycle.ts`) and the stats (`_stats_collector.ts`,
 * `_stats_reporter.ts`), over the batching rules of `_batch_buffer.ts`.
 *
 * @module
 */

import type {
  Checkpointer,
  InitializeInput,
  LeaseLostInput,
  ProcessRecordsInput,
  RecordProcessor,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "../session/record_processor.ts";
import { BatchBuffer } from "./_batch_buffer.ts";
import { CheckpointPolicy } from "./_checkpoint_policy.ts";
import { FailurePolicy } from "./_failure_policy.ts";
import { FlushScheduler } from "./_flush_scheduler.ts";
import { Flusher } from "./_flusher.ts";
import { Ingest } from "./_ingest.ts";
import { Lifecycle } from "./_lifecycle.ts";
import { ShardLog } from "./_shard_log.ts";
import { StatsCollector } from "./_stats_collector.ts";
import { StatsReporter } from "./_stats_reporter.ts";
import { type BatchConsumerOptions, resolveBatchOptions } from "./batch_options.ts";
import type { BatchStats } from "./batch_stats.ts";

/**
 * A {@linkcode RecordProcessor} that forwards records to a sink in batches.
 *
 * - A batch is flushed when it holds `maxRecords` items, when its record
 *   data reaches `maxBytes`, or when its oldest item is `maxAgeMs` old (on a
 *   timer, also between the daemon's actions).
 * - Checkpoints never pass a record that is not flushed: the position
 *   checkpointed is the highest one at or below which every record was
 *   flushed, skipped or dropped (the minimum over all keys' unflushed
 *   batches). A checkpoint due outside a checkpoint window (between actions)
 *   is sent by the core at the start of the next action.
 * - `shutdownRequested` flushes everything, then checkpoints; `shardEnded`
 *   flushes everything, then checkpoints `SHARD_END`.
 * - A flush that still fails after its retries fails the process (unless
 *   `onBatchError` drops the batch): it is logged at once, and thrown from
 *   the next action (`processRecords`, `shardEnded` or `shutdownRequested`),
 *   because only an action can end the session. Until then no checkpoint
 *   passes the batch, and a restarted worker resumes from the last
 *   checkpoint: nothing is lost. On an idle shard the next action may come late.
 * - One instance per shard (one child process per shard under the daemon).
 *
 * @example Batch JSON events per table
 * ```ts ignore
 * // An illustration: `run()` takes over the process's stdin and stdout, as the daemon's child.
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
 * @example Watch the flushes and checkpoints under the fake daemon
 * ```ts
 * import { BatchConsumer } from "@kcl/multilang/batch";
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const flushed: string[][] = [];
 * const consumer = new BatchConsumer<string>({
 *   map: (record) => record.text(),
 *   flush: (items) => void flushed.push(items),
 *   maxRecords: 2,
 *   log: () => {},
 * });
 * const daemon = FakeDaemon.inProcess(consumer);
 * await daemon.initialize();
 * const records = new RecordBuilder({ firstSequenceNumber: "1", sequenceStep: 1 }).build(["r1", "r2", "r3"]);
 * const checkpoints = [await daemon.processRecords(records), await daemon.shardEnded()]
 *   .flatMap((action) => action.checkpoints.map((c) => c.sequenceNumber));
 * assert.equal(await daemon.end(), 0);
 * assert.deepEqual(flushed, [["r1", "r2"], ["r3"]]);
 * // r3 waits for shardEnded, which flushes it, checkpoints it, then checkpoints SHARD_END (null).
 * assert.deepEqual(checkpoints, ["2", "3", null]);
 * ```
 */
export class BatchConsumer<T> implements RecordProcessor {
  readonly #log: ShardLog;
  readonly #life = new Lifecycle();
  readonly #stats = new StatsCollector();
  readonly #reporter: StatsReporter;
  readonly #buffer: BatchBuffer<T>;
  readonly #ingest: Ingest<T>;
  readonly #flushes: FlushScheduler<T>;
  readonly #checkpoints: CheckpointPolicy;
  #initialized = false;

  /**
   * Validates the options; nothing starts before `initialize`.
   *
   * @param options what to map, how to key and where to flush, and the limits
   */
  constructor(options: BatchConsumerOptions<T>) {
    const resolved = resolveBatchOptions(options);
    const log = new ShardLog(options.log);
    const life = this.#life;
    const stats = this.#stats;
    const buffer = new BatchBuffer<T>(resolved);
    const failures = new FailurePolicy(resolved.onBatchError, log);
    const checkpoints = new CheckpointPolicy(
      () => buffer.safePosition(),
      resolved.checkpointIntervalMs,
      life,
      stats,
      log,
    );
    const flusher = new Flusher<T>({
      flush: resolved.flush,
      retry: resolved.retry,
      buffer,
      failures,
      life,
      stats,
      log,
      onDone: () => checkpoints.request(),
    });
    const flushes = new FlushScheduler<T>(resolved, buffer, flusher, life, stats);
    this.#log = log;
    this.#buffer = buffer;
    this.#checkpoints = checkpoints;
    this.#flushes = flushes;
    this.#ingest = new Ingest<T>({
      map: resolved.map,
      keyOf: resolved.keyOf,
      buffer,
      failures,
      stats,
      log,
      onAdded: (added) => flushes.added(added),
    });
    this.#reporter = new StatsReporter(resolved.statsIntervalMs, life, () => this.stats, log);
  }

  /** The counters: records in / flushed / skipped / dropped, batches, flush latency, lag, buffer. */
  get stats(): BatchStats {
    return this.#stats.snapshot({
      records: this.#buffer.heldRecords,
      bytes: this.#buffer.heldBytes,
      inFlight: this.#flushes.inFlight,
    });
  }

  /** Records the shard and starts the periodic stats log. */
  initialize(input: InitializeInput): void {
    if (this.#initialized) {
      throw new Error("Cannot initialize a BatchConsumer twice: create one BatchConsumer per shard");
    }
    this.#initialized = true;
    this.#log.shardId = input.shardId;
    this.#reporter.start();
  }

  /**
   * Maps and buffers the records, starts flushes of full batches, and waits
   * for flushes while too much is buffered. Throws a failure remembered
   * from a background flush.
   */
  async processRecords(input: ProcessRecordsInput): Promise<void> {
    this.#life.throwIfUnusable("process records");
    this.#checkpoints.use(input.checkpointer);
    this.#stats.behindLatest(input.millisBehindLatest);
    this.#reporter.start();
    // A request made between actions was deferred by the core: it is sent first thing in this action.
    const deferred = this.#checkpoints.inFlight;
    await this.#ingest.take(input.records);
    this.#flushes.pump();
    // Once the deferred request is answered, what was flushed since can be committed in this action.
    if (deferred !== undefined) await deferred;
    // Skipped records may move the safe position without any flush.
    this.#checkpoints.request();
    await this.#flushes.relieve();
    this.#life.throwIfUnusable("process records");
  }

  /** Flushes everything, checkpoints what was flushed, then stops the timers. */
  async shutdownRequested(input: ShutdownRequestedInput): Promise<void> {
    if (!this.#life.running) return;
    await this.#flushAndCheckpoint(input.checkpointer, "shutdown requested");
    this.#life.throwIfUnusable("shut down");
    this.#stopTimers();
    this.#reporter.report("Batch consumer stats at shutdown");
  }

  /** Flushes everything, then checkpoints `SHARD_END` so that the shard's children can start. */
  async shardEnded(input: ShardEndedInput): Promise<void> {
    this.#life.throwIfUnusable("end the shard");
    await this.#flushAndCheckpoint(input.checkpointer, "shard ended");
    this.#life.throwIfUnusable("end the shard");
    if (!this.#checkpoints.ended) await input.checkpointer.checkpoint();
    this.#end("Batch consumer stats at shard end");
  }

  /** Another worker owns the shard: stops timers and retries; unflushed batches are left to the next owner. */
  leaseLost(_input: LeaseLostInput): void {
    if (this.#buffer.heldRecords > 0) {
      this.#log.event("info", "Lease lost; leaving unflushed records to the next owner", {
        records: this.#buffer.heldRecords,
      });
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
    await this.#flushes.settled();
  }

  /** Same as {@linkcode BatchConsumer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The end of shutdownRequested and shardEnded: everything is flushed, then what was flushed is checkpointed. */
  async #flushAndCheckpoint(checkpointer: Checkpointer, why: string): Promise<void> {
    this.#checkpoints.suspend(checkpointer);
    try {
      await this.#flushes.drain();
      // Even after a failure, what was flushed below the failed batch is committed.
      await this.#checkpoints.checkpointSafe(why);
    } finally {
      this.#checkpoints.resume();
    }
  }

  /** Clears every timer while the life goes on: after shutdownRequested only leaseLost is left to come. */
  #stopTimers(): void {
    this.#life.timers.clear();
    this.#reporter.stop();
    this.#checkpoints.stop();
  }

  /** The end of the shard's life: no timer, retry or wait survives it. */
  #end(statsMessage: string | undefined): void {
    if (!this.#life.close()) return;
    this.#reporter.stop();
    this.#checkpoints.stop();
    this.#flushes.wake();
    if (statsMessage !== undefined) this.#reporter.report(statsMessage);
  }
}
