/**
 * Turns samples into the numbers the issue asks for: rates, ratios measured
 * in the same run, the targets' verdicts, a markdown table and a JSON record.
 *
 * @module
 */

import type { Child } from "./children.ts";
import type { ThroughputSample } from "./measure.ts";
import type { Workload } from "./workloads.ts";

/** One child on one throughput workload (best of the repetitions). */
export interface ThroughputResult {
  readonly workload: Workload["id"];
  readonly child: string;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly usPerAction: number;
  readonly peakRssMb: number;
  /** The least CPU time of the repetitions, in seconds. */
  readonly cpuSeconds: number;
  /** Throughput of ours / throughput of the floor on the same runtime. */
  readonly vsFloor: number | null;
  /** Throughput of ours on Node / throughput of aws-kcl. */
  readonly vsAwsKcl: number | null;
  readonly samplesSeconds: readonly number[];
}

/** One child's start-up times (W4). */
export interface StartupResult {
  readonly child: string;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly peakRssMb: number | null;
  /** Median CPU time up to the `leaseLost` status. */
  readonly medianCpuMs: number;
  readonly samplesMs: readonly number[];
  readonly samplesCpuMs: readonly number[];
}

/** A target of the issue and whether this run meets it. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const MB = 1e6;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rates and ratios of every child on one workload. */
export function throughputResults(
  workload: Workload,
  samples: ReadonlyMap<Child, readonly ThroughputSample[]>,
): ThroughputResult[] {
  const best = new Map<string, ThroughputSample>();
  const peak = new Map<string, number>();
  for (const [child, list] of samples) {
    best.set(child.id, list.reduce((a, b) => (b.seconds < a.seconds ? b : a)));
    peak.set(child.id, Math.max(...list.map((sample) => sample.peakRssBytes)));
  }
  const results: ThroughputResult[] = [];
  for (const [child, list] of samples) {
    const { seconds } = best.get(child.id)!;
    const floor = best.get(`floor/${child.runtime}`);
    const awsKcl = best.get("aws-kcl/node");
    results.push({
      workload: workload.id,
      child: child.id,
      seconds,
      recordsPerSecond: workload.records / seconds,
      mbPerSecond: workload.inputBytes / MB / seconds,
      usPerAction: (seconds * 1e6) / workload.batches.length,
      peakRssMb: peak.get(child.id)! / MB,
      cpuSeconds: Math.min(...list.map((sample) => sample.cpuSeconds)),
      vsFloor: (child.implementation === "ours" || child.implementation === "proto") && floor !== undefined
        ? floor.seconds / seconds
        : null,
      vsAwsKcl: (child.id === "ours/node" || child.id === "proto/node") && awsKcl !== undefined
        ? awsKcl.seconds / seconds
        : null,
      samplesSeconds: list.map((sample) => sample.seconds),
    });
  }
  return results;
}

/** The targets against this run's numbers. */
export function verdicts(throughput: readonly ThroughputResult[], startup: readonly StartupResult[]): Verdict[] {
  const out: Verdict[] = [];
  const find = (workload: string, child: string) =>
    throughput.find((r) => r.workload === workload && r.child === child);
  const ratio = (target: string, value: number | null | undefined, minimum: number) => {
    if (value === null || value === undefined) return;
    out.push({ target: `${target} >= ${minimum}`, measured: value.toFixed(2), pass: value >= minimum });
  };
  for (const runtime of ["deno", "bun", "node"]) {
    ratio(`W1 ours/floor on ${runtime}`, find("W1", `ours/${runtime}`)?.vsFloor, 0.85);
  }
  ratio("W1 ours/aws-kcl on node", find("W1", "ours/node")?.vsAwsKcl, 1.5);
  for (const runtime of ["deno", "bun", "node"]) {
    ratio(`W2 ours/floor on ${runtime}`, find("W2", `ours/${runtime}`)?.vsFloor, 0.8);
  }
  ratio("W2 ours/aws-kcl on node", find("W2", "ours/node")?.vsAwsKcl, 1.5);
  ratio("W3 ours/aws-kcl on node", find("W3", "ours/node")?.vsAwsKcl, 1.5);
  for (const runtime of ["deno", "bun", "node"]) {
    const ours = find("W1", `ours/${runtime}`);
    const floor = find("W1", `floor/${runtime}`);
    if (ours === undefined || floor === undefined) continue;
    const extra = ours.peakRssMb - floor.peakRssMb;
    out.push({
      target: `W1 peak RSS ours - floor on ${runtime} <= 40 MB`,
      measured: `${extra.toFixed(1)} MB (${ours.peakRssMb.toFixed(0)} vs ${floor.peakRssMb.toFixed(0)})`,
      pass: extra <= 40,
    });
  }
  const limits: Record<string, number> = { "ours/bun": 20, "ours/deno": 45, "ours/node": 70, "ours/node+cache": 70 };
  for (const result of startup) {
    const limit = limits[result.child];
    if (limit === undefined) continue;
    out.push({
      target: `W4 ${result.child} <= ${limit} ms per child`,
      measured: `${result.medianMs.toFixed(1)} ms (median)`,
      pass: result.medianMs <= limit,
    });
  }
  return out;
}

const fixed = (value: number | null, digits = 2) => (value === null ? "" : value.toFixed(digits));
const grouped = (value: number) => Math.round(value).toLocaleString("en-US");

/** The markdown report. */
export function markdown(
  workloads: readonly Workload[],
  throughput: readonly ThroughputResult[],
  startup: readonly StartupResult[],
  found: readonly Verdict[],
): string {
  const lines: string[] = [];
  for (const workload of workloads) {
    if (workload.id === "W4") continue;
    const rows = throughput.filter((r) => r.workload === workload.id);
    if (rows.length === 0) continue;
    lines.push(`### ${workload.id} ${workload.title} (${(workload.inputBytes / MB).toFixed(1)} MB of input)`, "");
    lines.push("| child | s | CPU s | records/s | MB/s | µs/action | peak RSS MB | ours/floor | ours/aws-kcl |");
    lines.push("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (const r of rows) {
      lines.push(
        `| ${r.child} | ${r.seconds.toFixed(3)} | ${r.cpuSeconds.toFixed(3)} | ${grouped(r.recordsPerSecond)} | ${
          r.mbPerSecond.toFixed(1)
        } | ${grouped(r.usPerAction)} | ${r.peakRssMb.toFixed(0)} | ${fixed(r.vsFloor)} | ${fixed(r.vsAwsKcl)} |`,
      );
    }
    lines.push("");
  }
  const w4 = workloads.find((w) => w.id === "W4");
  if (w4 !== undefined && startup.length > 0) {
    lines.push(`### W4 ${w4.title}`, "");
    lines.push(
      "| child | median ms | mean ms | min ms | median CPU ms | peak RSS MB |",
      "|---|--:|--:|--:|--:|--:|",
    );
    for (const r of startup) {
      lines.push(
        `| ${r.child} | ${r.medianMs.toFixed(1)} | ${r.meanMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${
          r.medianCpuMs.toFixed(1)
        } | ${fixed(r.peakRssMb, 0)} |`,
      );
    }
    lines.push("");
  }
  if (found.length > 0) {
    lines.push("### Targets", "", "| target | measured | |", "|---|--:|---|");
    for (const v of found) lines.push(`| ${v.target} | ${v.measured} | ${v.pass ? "met" : "**missed**"} |`);
    lines.push("");
  }
  return lines.join("\n");
}
