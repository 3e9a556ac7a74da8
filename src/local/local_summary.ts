/**
 * The local daemon's verdict and its final summary (a table on stderr, or
 * JSON on stdout).
 *
 * @module
 */

import { describePosition } from "../testing/checkpoint_position.ts";
import { formatViolations } from "../testing/violation.ts";
import type { LocalOptions } from "./_local_options.ts";
import type { ShardReport } from "./shard_report.ts";

/** Why a run failed: one sentence per problem (empty when it succeeded). */
function failureReasons(reports: readonly ShardReport[], options: LocalOptions): string[] {
  const reasons: string[] = [];
  // The same error on every shard (a command that cannot start) is said once.
  const errors = new Set(reports.map((report) => report.error));
  const sameError = reports.length > 1 && errors.size === 1 ? reports[0]?.error ?? null : null;
  if (sameError !== null) reasons.push(`every shard (${reports.length}): ${sameError}`);
  for (const report of reports) {
    const shard = report.shardId;
    if (report.error !== null) {
      if (sameError === null) reasons.push(`${shard}: ${report.error}`);
    } else if (report.ended === "interrupted") reasons.push(`${shard}: interrupted (Ctrl+C or SIGTERM) before its end`);
    else if (report.ended !== options.end && report.ended !== "already-ended") {
      reasons.push(`${shard}: did not end as requested (${options.end})`);
    }
    if (report.checkpointed < report.delivered) {
      reasons.push(
        `${shard}: ${
          report.delivered - report.checkpointed
        } of ${report.delivered} delivered records are not covered ` +
          `by a checkpoint (stored checkpoint: ${describePosition(report.checkpoint)}); the next owner of the lease ` +
          "would process them again",
      );
    }
    if (report.violations.length > 0) {
      reasons.push(
        `${shard}: ${report.violations.length} protocol violation(s):\n${formatViolations(report.violations)}`,
      );
    }
  }
  return reasons;
}

/**
 * The summary as plain data (the `--json` output).
 *
 * @example Read the `--json` output in a script
 * ```ts
 * import type { LocalSummary } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * // What `local --json ... -- <consumer>` printed on stdout.
 * const output = JSON.stringify({
 *   ok: false,
 *   reasons: ["shardId-000000000001: 20 delivered records are not covered by a checkpoint"],
 *   durationMs: 812,
 *   total: { delivered: 40, checkpointed: 20, batches: 8, violations: 0 },
 *   shards: [],
 * });
 * const summary: LocalSummary = JSON.parse(output);
 * const uncovered = summary.total.delivered - summary.total.checkpointed;
 * assert.equal(summary.ok, uncovered === 0);
 * ```
 */
export interface LocalSummary {
  /** Whether the run succeeded (exit code 0). */
  readonly ok: boolean;
  /** Why it failed. */
  readonly reasons: readonly string[];
  /** Wall time of the run, milliseconds. */
  readonly durationMs: number;
  /** Sums over the shards. */
  readonly total: { delivered: number; checkpointed: number; batches: number; violations: number };
  /** One entry per shard. */
  readonly shards: readonly ShardReport[];
}

/** Builds the summary. */
export function summarize(reports: readonly ShardReport[], options: LocalOptions, durationMs: number): LocalSummary {
  const reasons = failureReasons(reports, options);
  const sum = (pick: (report: ShardReport) => number): number => reports.reduce((total, r) => total + pick(r), 0);
  return {
    ok: reasons.length === 0,
    reasons,
    durationMs,
    total: {
      delivered: sum((r) => r.delivered),
      checkpointed: sum((r) => r.checkpointed),
      batches: sum((r) => r.batches),
      violations: sum((r) => r.violations.length),
    },
    shards: reports,
  };
}

/** The summary as a table and a verdict, for people. */
export function formatSummary(summary: LocalSummary): string {
  const header = ["shard", "records", "checkpointed", "batches", "duration", "end", "violations"];
  const rows = summary.shards.map((r) => [
    r.shardId,
    String(r.delivered),
    String(r.checkpointed),
    String(r.batches),
    seconds(r.durationMs),
    r.error !== null ? "failed" : r.ended ?? "-",
    String(r.violations.length),
  ]);
  const t = summary.total;
  rows.push([
    "total",
    String(t.delivered),
    String(t.checkpointed),
    String(t.batches),
    seconds(summary.durationMs),
    "",
    String(t.violations),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => i === 0 || i === 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))
      .join("  ").trimEnd();
  const rate = summary.durationMs > 0 ? Math.round(t.delivered / (summary.durationMs / 1000)) : 0;
  const table = [line(header), ...rows.slice(0, -1).map(line), line(rows.at(-1) ?? [])].join("\n");
  const verdict = summary.ok
    ? `OK: ${t.delivered} records delivered (${rate} records/s), all checkpointed, every shard ended as requested, ` +
      "no protocol violation."
    : `FAILED:\n${summary.reasons.map((reason) => `  - ${reason.replaceAll("\n", "\n    ")}`).join("\n")}`;
  return `\n${table}\n\n${verdict}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
