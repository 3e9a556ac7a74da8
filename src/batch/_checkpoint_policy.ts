/**
 * When the consumer checkpoints, and what: the safe position (every record
 * at or below it was flushed, skipped or dropped), as soon as it moves, at
 * most once per `checkpointIntervalMs`, one request at a time.
 *
 * A request made outside a checkpoint window (after a timer flush, between
 * the daemon's actions) is deferred by the core and sent at the start of
 * the next checkpoint-capable action. While `shutdownRequested` or
 * `shardEnded` flush everything, background requests are suspended: those
 * actions take one final checkpoint themselves.
 *
 * @module
 */

import { isLeaseGone } from "../session/checkpoint_error.ts";
import type { Checkpointer } from "../session/record_processor.ts";
import { compareSequence, formatPosition, type SequencePosition } from "../session/sequence.ts";
import type { Lifecycle } from "./_lifecycle.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { StatsCollector } from "./_stats_collector.ts";
import type { TimerHandle } from "./_timer_set.ts";

/** Requests checkpoints at the safe position and keeps track of their answers. */
export class CheckpointPolicy {
  readonly #safePosition: () => SequencePosition | undefined;
  readonly #intervalMs: number;
  readonly #life: Lifecycle;
  readonly #stats: StatsCollector;
  readonly #log: ShardLog;
  #checkpointer: Checkpointer | undefined;
  /** The last position checkpointed successfully. */
  #checkpointed: SequencePosition | undefined;
  /** The highest position requested (answered or not). */
  #requested: SequencePosition | undefined;
  /** The request in progress (with its bookkeeping), if any. */
  #inFlight: Promise<void> | undefined;
  #requestAgain = false;
  /** The lease is gone: no checkpoint can succeed any more. */
  #ended = false;
  #suspended = false;
  #lastRequestAt = -Infinity;
  #intervalTimer: TimerHandle | undefined;

  constructor(
    safePosition: () => SequencePosition | undefined,
    intervalMs: number,
    life: Lifecycle,
    stats: StatsCollector,
    log: ShardLog,
  ) {
    this.#safePosition = safePosition;
    this.#intervalMs = intervalMs;
    this.#life = life;
    this.#stats = stats;
    this.#log = log;
  }

  /** The request in progress, if any: a deferred one is answered early in the next action. */
  get inFlight(): Promise<void> | undefined {
    return this.#inFlight;
  }

  /** Whether checkpointing ended because the lease is gone (a request failed with `ShutdownException`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The checkpointer of the latest action: kept after it, for background requests. */
  use(checkpointer: Checkpointer): void {
    this.#checkpointer = checkpointer;
  }

  /**
   * Requests a checkpoint at the safe position if it moved, subject to the
   * interval. One request at a time: a later one follows when it is
   * answered.
   */
  request(): void {
    const checkpointer = this.#checkpointer;
    if (checkpointer === undefined || this.#suspended || this.#ended || !this.#life.running) return;
    const safe = this.#safePosition();
    if (safe === undefined || (this.#requested !== undefined && compareSequence(safe, this.#requested) <= 0)) return;
    const wait = this.#lastRequestAt + this.#intervalMs - performance.now();
    if (wait > 0) {
      this.#intervalTimer ??= this.#life.timers.after(wait, () => {
        this.#intervalTimer = undefined;
        this.request();
      });
      return;
    }
    if (this.#inFlight !== undefined) {
      this.#requestAgain = true;
      return;
    }
    this.#requested = safe;
    this.#lastRequestAt = performance.now();
    this.#inFlight = checkpointer.checkpoint(safe).then(
      () => this.#succeeded(safe),
      (error: unknown) => this.#failed(safe, error),
    ).then(() => {
      this.#inFlight = undefined;
      if (this.#requestAgain) {
        this.#requestAgain = false;
        this.request();
      }
    });
  }

  /** Stops background requests until {@linkcode CheckpointPolicy.resume}; `checkpointer` takes the final one. */
  suspend(checkpointer: Checkpointer): void {
    this.#checkpointer = checkpointer;
    this.#suspended = true;
    this.stop();
  }

  /** Allows background requests again. */
  resume(): void {
    this.#suspended = false;
  }

  /**
   * Checkpoints the safe position with the current checkpointer, unless it
   * is already checkpointed; never throttled. Rejects if the request fails.
   */
  async checkpointSafe(why: string): Promise<void> {
    // A request deferred from between actions was sent at the start of this action: its answer says whether the
    // safe position is checkpointed already, so that the same position is not requested twice.
    if (this.#inFlight !== undefined) await this.#inFlight;
    const safe = this.#safePosition();
    if (
      safe === undefined || this.#ended || this.#checkpointer === undefined ||
      (this.#checkpointed !== undefined && compareSequence(safe, this.#checkpointed) <= 0)
    ) return;
    this.#log.event("debug", `Checkpointing after flushing everything (${why})`, { at: formatPosition(safe) });
    await this.#checkpointer.checkpoint(safe);
    this.#succeeded(safe);
  }

  /** Cancels a request waiting for the interval. */
  stop(): void {
    this.#intervalTimer?.cancel();
    this.#intervalTimer = undefined;
  }

  #succeeded(position: SequencePosition): void {
    if (this.#checkpointed === undefined || compareSequence(position, this.#checkpointed) > 0) {
      this.#checkpointed = position;
      this.#stats.checkpointed(position);
    }
    if (this.#requested === undefined || compareSequence(position, this.#requested) > 0) this.#requested = position;
  }

  #failed(position: SequencePosition, error: unknown): void {
    this.#requested = this.#checkpointed;
    if (isLeaseGone(error)) {
      this.#ended = true;
      this.#log.event("info", "Checkpointing ended: the lease is gone", { at: formatPosition(position) });
      return;
    }
    // Not a loss: the checkpoint just did not move; the next flush tries a higher one.
    this.#log.event("warn", "Background checkpoint failed", { at: formatPosition(position), error });
  }
}
