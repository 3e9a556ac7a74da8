/**
 * The stats in the log: every `statsIntervalMs` while the shard runs, and
 * once when its life ends.
 *
 * @module
 */

import { formatPosition } from "../session/sequence.ts";
import type { Lifecycle } from "./_lifecycle.ts";
import type { ShardLog } from "./_shard_log.ts";
import type { TimerHandle } from "./_timer_set.ts";
import type { BatchStats } from "./batch_stats.ts";

/** Logs a snapshot of the stats on a timer and on demand. */
export class StatsReporter {
  readonly #intervalMs: number;
  readonly #life: Lifecycle;
  readonly #read: () => BatchStats;
  readonly #log: ShardLog;
  #timer: TimerHandle | undefined;

  constructor(intervalMs: number, life: Lifecycle, read: () => BatchStats, log: ShardLog) {
    this.#intervalMs = intervalMs;
    this.#life = life;
    this.#read = read;
    this.#log = log;
  }

  /** Starts the periodic log, unless it runs already, is turned off, or the life has ended. */
  start(): void {
    const interval = this.#intervalMs;
    if (interval === 0 || !Number.isFinite(interval) || this.#timer !== undefined || !this.#life.running) return;
    this.#timer = this.#life.timers.after(interval, () => {
      this.#timer = undefined;
      this.report("Batch consumer stats");
      this.start();
    });
  }

  /** Stops the periodic log; `start()` may start it again. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Logs the stats now, with `message`. */
  report(message: string): void {
    const { checkpoint, ...counters } = this.#read();
    this.#log.event("info", message, { ...counters, checkpoint: checkpoint && formatPosition(checkpoint) });
  }
}
