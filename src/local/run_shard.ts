/**
 * One shard's life under the local daemon: a child, `initialize`, the
 * batches after the shard's checkpoint, then the requested end.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";
import { type CheckpointPosition, comparePositions, SHARD_END } from "../testing/checkpoint_ledger.ts";
import { FakeDaemon } from "../testing/fake_daemon.ts";
import { FakeDaemonError } from "../testing/fake_daemon_error.ts";
import type { LocalOptions, ShardEnd } from "./local_options.ts";
import type { Violation } from "../testing/violation.ts";

/**
 * How one shard went.
 *
 * @example A shard whose command cannot start
 * ```ts
 * import { type LocalHost, main, type ShardReport } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * let json = "";
 * const host: LocalHost = {
 *   runtime: "deno",
 *   execPath: "/usr/bin/false",
 *   env: (name) => (name === "PATH" ? "/usr/bin:/bin" : undefined),
 *   stdout: () => new WritableStream({ write: (chunk) => void (json += new TextDecoder().decode(chunk)) }),
 *   writeStderr: () => {},
 *   stderrIsTerminal: () => false,
 *   onSignal: () => {},
 *   exit: (code) => {
 *     throw new Error(`Unexpected exit with code ${code}`);
 *   },
 * };
 * assert.equal(await main(["--shards", "1", "--json", "--", "no-such-kcl-consumer"], host), 1);
 * const [report]: ShardReport[] = JSON.parse(json).shards;
 * assert.equal(report?.shardId, "shardId-000000000000");
 * assert.equal(report?.ended, null);
 * assert.equal(report?.delivered, 0);
 * assert.match(report?.error ?? "", /Cannot start the child `no-such-kcl-consumer`/);
 * ```
 */
export interface ShardReport {
  /** The shard. */
  readonly shardId: string;
  /** Where the shard started: the persisted checkpoint, or `TRIM_HORIZON`. */
  startedAfter: string;
  /** Records delivered in `processRecords`. */
  delivered: number;
  /** Delivered records covered by the stored checkpoint. */
  checkpointed: number;
  /** `processRecords` actions. */
  batches: number;
  /** Milliseconds from spawning the child to its exit. */
  durationMs: number;
  /** How the shard's life ended, `null` when it did not reach its end. */
  ended: ShardEnd | "already-ended" | "interrupted" | null;
  /** The stored checkpoint at the end. */
  checkpoint: CheckpointPosition | null;
  /** The child's exit code, `null` when not known. */
  exitCode: number | null;
  /** Why the shard failed, `null` when it did not. */
  error: string | null;
  /** The protocol violations of the child. */
  violations: readonly Violation[];
}

/** What a shard run reports to the local daemon while it runs. */
export interface ShardHooks {
  /** A child's stderr line. */
  stderr(shardId: string, line: string): void;
  /** The shard made progress (its report changed). */
  progress(report: ShardReport): void;
  /** The stored checkpoint changed. */
  checkpoint(shardId: string, position: CheckpointPosition): void;
  /** Whether Ctrl+C asked to stop. */
  stopping(): boolean;
}

/** Everything a shard run needs. */
export interface ShardPlan {
  readonly shardId: string;
  /** Every record of the shard, in order. */
  readonly records: readonly RecordMessage[];
  /** The persisted checkpoint, if any. */
  readonly resumeFrom: CheckpointPosition | undefined;
  readonly program: string;
  readonly args: readonly string[];
}

/** Runs one shard's child from its checkpoint to the requested end. */
export async function runShard(plan: ShardPlan, options: LocalOptions, hooks: ShardHooks): Promise<ShardReport> {
  const started = Date.now();
  const resume = plan.resumeFrom;
  const report: ShardReport = {
    shardId: plan.shardId,
    startedAfter: resume === undefined ? "TRIM_HORIZON" : formatCheckpoint(resume),
    delivered: 0,
    checkpointed: 0,
    batches: 0,
    durationMs: 0,
    ended: null,
    checkpoint: resume ?? null,
    exitCode: null,
    error: null,
    violations: [],
  };
  if (resume !== undefined && resume.sequenceNumber === SHARD_END.sequenceNumber) {
    report.ended = "already-ended";
    return report;
  }
  const pending = resume === undefined
    ? plan.records
    : plan.records.filter((record) => comparePositions(position(record), resume) > 0);
  const delivered: CheckpointPosition[] = [];
  let daemon: FakeDaemon | undefined;
  const observe = (): void => {
    const stored = daemon?.checkpoint ?? null;
    if (stored !== null && stored !== report.checkpoint) hooks.checkpoint(plan.shardId, stored);
    report.checkpoint = stored;
    report.checkpointed = covered(delivered, stored);
    report.durationMs = Date.now() - started;
    hooks.progress(report);
  };
  try {
    daemon = await FakeDaemon.spawn(plan.program, plan.args, {
      timeoutMs: options.timeoutMs,
      transcriptLimit: 12,
      onStderr: (line) => hooks.stderr(plan.shardId, line),
    });
    if (options.failCheckpoints !== undefined) {
      daemon.failNextCheckpoints(options.failCheckpoints.count, options.failCheckpoints.error);
    }
    await daemon.initialize({
      shardId: plan.shardId,
      sequenceNumber: resume?.sequenceNumber ?? "TRIM_HORIZON",
      subSequenceNumber: resume?.subSequenceNumber ?? 0,
    });
    observe();
    const lastArrival = pending.at(-1)?.approximateArrivalTimestamp ?? 0;
    let interrupted = false;
    for (let i = 0; i < pending.length; i += options.batch) {
      if (hooks.stopping()) {
        interrupted = true;
        break;
      }
      const batch = pending.slice(i, i + options.batch);
      await daemon.processRecords(batch, {
        millisBehindLatest: Math.max(0, lastArrival - (batch.at(-1)?.approximateArrivalTimestamp ?? lastArrival)),
      });
      for (const record of batch) delivered.push(position(record));
      report.delivered += batch.length;
      report.batches++;
      observe();
    }
    const end = interrupted || hooks.stopping() ? "interrupted" : options.end;
    if (end === "shard-end") await daemon.shardEnded();
    if (end === "shutdown" || end === "interrupted") await daemon.shutdownRequested();
    if (end !== "shard-end") await daemon.leaseLost();
    observe();
    report.exitCode = await daemon.end();
    report.ended = end;
    if (report.exitCode !== 0) report.error = `The child exited with code ${report.exitCode} after its stdin closed`;
  } catch (error) {
    report.error = error instanceof FakeDaemonError || error instanceof Error ? error.message : String(error);
    await daemon?.kill();
  }
  report.violations = daemon?.violations ?? [];
  observe();
  return report;
}

function position(record: RecordMessage): CheckpointPosition {
  return { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 };
}

/** How many of the (ordered) delivered positions are at or below `stored`. */
function covered(delivered: readonly CheckpointPosition[], stored: CheckpointPosition | null): number {
  if (stored === null) return 0;
  let low = 0;
  let high = delivered.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (comparePositions(delivered[middle] as CheckpointPosition, stored) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** `SHARD_END`, `TRIM_HORIZON` or `digits/sub`. */
export function formatCheckpoint(position: CheckpointPosition | null): string {
  if (position === null) return "none";
  return /^[0-9]+$/.test(position.sequenceNumber)
    ? `${position.sequenceNumber}/${position.subSequenceNumber}`
    : position.sequenceNumber;
}
