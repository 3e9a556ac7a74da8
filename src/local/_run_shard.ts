/**
 * One shard's life under the local daemon: a child, `initialize`, the
 * batches after the shard's checkpoint, then the requested end.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";
import { formatPosition } from "../session/sequence.ts";
import {
  type CheckpointPosition,
  comparePositions,
  describePosition,
  SHARD_END,
} from "../testing/checkpoint_position.ts";
import { FakeDaemon } from "../testing/fake_daemon.ts";
import type { LocalOptions } from "./_local_options.ts";
import type { ShardReport } from "./shard_report.ts";

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

/** How many of the child's last stderr lines a failure shows when they were not forwarded (`--quiet`). */
const STDERR_TAIL = 20;

/** Runs one shard's child from its checkpoint to the requested end. */
export async function runShard(plan: ShardPlan, options: LocalOptions, hooks: ShardHooks): Promise<ShardReport> {
  const started = Date.now();
  const resume = plan.resumeFrom;
  const report: ShardReport = {
    shardId: plan.shardId,
    startedAfter: resume === undefined ? "TRIM_HORIZON" : describePosition(resume),
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
  /** The batch in flight, to name it if the child fails on it. */
  let batch: readonly RecordMessage[] | undefined;
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
      transcriptLimit: 0,
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
      batch = pending.slice(i, i + options.batch);
      // Counted when sent: a batch the child fails on was delivered too (and the failure names it as batch N).
      for (const record of batch) delivered.push(position(record));
      report.delivered += batch.length;
      report.batches++;
      await daemon.processRecords(batch, {
        millisBehindLatest: Math.max(0, lastArrival - (batch.at(-1)?.approximateArrivalTimestamp ?? lastArrival)),
      });
      batch = undefined;
      observe();
    }
    const end = interrupted || hooks.stopping() ? "interrupted" : options.end;
    if (end === "shard-end") await daemon.shardEnded();
    if (end === "shutdown" || end === "interrupted") await daemon.shutdownRequested();
    if (end !== "shard-end") await daemon.leaseLost();
    observe();
    report.exitCode = await daemon.end();
    report.ended = end;
    if (report.exitCode !== 0) {
      report.error = `The child exited with code ${report.exitCode} after its stdin closed` +
        stderrNote(daemon.stderr, options.quiet);
    }
  } catch (error) {
    report.error = describeFailure(error, batch, report.batches) + stderrNote(daemon?.stderr ?? [], options.quiet);
    await daemon?.kill();
  }
  report.violations = daemon?.violations ?? [];
  observe();
  return report;
}

/**
 * What failed, in one line (the first line of a FakeDaemon error: its other
 * lines repeat the child's stderr, already forwarded, and the lines
 * exchanged), then the batch in flight with its sequence range.
 */
function describeFailure(error: unknown, batch: readonly RecordMessage[] | undefined, number: number): string {
  const what = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const first = batch?.[0];
  const last = batch?.at(-1);
  if (first === undefined || last === undefined) return what;
  return `${what}\nbatch ${number}: ${batch?.length} records, ${formatPosition(first)} to ${formatPosition(last)}`;
}

/** Where to read the child's stderr: above (forwarded), or its last lines here (`--quiet`). */
function stderrNote(stderr: readonly string[], quiet: boolean): string {
  if (stderr.length === 0) return "\nthe child wrote nothing to stderr";
  if (!quiet) return "\nthe child's stderr is above";
  const tail = stderr.slice(-STDERR_TAIL);
  return `\nlast stderr lines of the child:\n${tail.map((line) => `  | ${line}`).join("\n")}`;
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
