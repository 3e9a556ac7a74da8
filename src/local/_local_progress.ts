/**
 * Progress of the local daemon on stderr: a live line on a terminal (redrawn
 * at most every 100 ms), otherwise one line per second, so logs stay readable.
 *
 * @module
 */

import type { ShardReport } from "./shard_report.ts";

/** The progress display. */
export interface Progress {
  /** A shard's report changed. */
  update(report: ShardReport): void;
  /** Writes a line (a child's stderr) without garbling the live line. */
  print(line: string): void;
  /** Stops the display. */
  stop(): void;
}

/** A progress display writing through `write`; `live` on a terminal. */
export function createProgress(write: (text: string) => void, live: boolean): Progress {
  const started = Date.now();
  const reports = new Map<string, ShardReport>();
  let drawn = false;
  let lastDraw = 0;
  const status = (): string => formatProgress([...reports.values()], Date.now() - started);
  const draw = (): void => {
    lastDraw = Date.now();
    drawn = true;
    write(`\r\x1b[K${status()}`);
  };
  const timer = setInterval(() => (live ? draw() : write(`${status()}\n`)), live ? 250 : 1000);
  // The display must never keep the process alive.
  (timer as { unref?: () => void }).unref?.();
  return {
    update(report) {
      reports.set(report.shardId, report);
      if (live && Date.now() - lastDraw >= 100) draw();
    },
    print(line) {
      if (live && drawn) {
        write(`\r\x1b[K${line}\n`);
        draw();
      } else {
        write(`${line}\n`);
      }
    },
    stop() {
      clearInterval(timer);
      if (live && drawn) write("\r\x1b[K");
      drawn = false;
    },
  };
}

/**
 * The progress line: totals, rate, and `shard:delivered/checkpointed` for
 * each shard that started (none before the first one did).
 */
export function formatProgress(reports: readonly ShardReport[], elapsedMs: number): string {
  let delivered = 0;
  let checkpointed = 0;
  const shards: string[] = [];
  for (const report of [...reports].sort((x, y) => x.shardId.localeCompare(y.shardId))) {
    delivered += report.delivered;
    checkpointed += report.checkpointed;
    shards.push(`${Number(report.shardId.slice(-12))}:${report.delivered}/${report.checkpointed}`);
  }
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(delivered / seconds) : 0;
  const line = `[local ${
    seconds.toFixed(1)
  } s] delivered ${delivered}, checkpointed ${checkpointed}, ${rate} records/s`;
  return shards.length === 0 ? line : `${line} | shard:delivered/checkpointed ${shards.join(" ")}`;
}
