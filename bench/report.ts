/**
 * Turns samples into the numbers the issue asks for: rates, ratios measured
 * in the same run, the targets' verdicts, a markdown table and a JSON record.
 *
 * @module
 */

import type { Child } from "./children.ts";
import type { DenseSample } from "./dense.ts";
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

/** One kind of child on W5, a dense host: per-child medians (CPU: means, as it is counted in 10 ms ticks). */
export interface DenseResult {
  readonly child: string;
  readonly children: number;
  readonly startupCpuMs: number;
  /** CPU per MiB of decoded payload, in the big batch and in the small ones. */
  readonly bigCpuMsPerMiB: number;
  readonly smallCpuMsPerMiB: number;
  /** CPU per small action (one record of 1 KiB + its checkpoint). */
  readonly smallCpuUsPerAction: number;
  readonly idlePssMiB: number;
  readonly idleRssMiB: number;
  readonly afterBigPssMiB: number;
  readonly afterBigRssMiB: number;
  readonly afterLoadPssMiB: number;
  readonly afterLoadRssMiB: number;
  readonly afterIdlePssMiB: number;
  readonly peakRssMiB: number;
  /** 24 GiB / PSS after the load. */
  readonly shardsPer24GiB: number;
  /** One core / CPU of a shard delivering 2 MB/s in big batches. */
  readonly shardsPerCoreAt2MBps: number;
}

/** A target of an issue and whether this run meets it. */
export interface Verdict {
  /** The issue that set it. */
  readonly issue: number;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const MB = 1e6;
const MiB = 2 ** 20;

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

/** W5's figures of one kind of child. */
export function denseResult(child: Child, workload: Workload, samples: readonly DenseSample[]): DenseResult {
  const load = workload.dense!;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const mib = (pick: (sample: DenseSample) => number) => median(samples.map(pick)) / MiB;
  const bigCpuMsPerMiB = mean(samples.map((s) => s.bigCpuMs)) / (load.bigPayloadBytes / MiB);
  const smallCpuMs = mean(samples.map((s) => s.smallCpuMs));
  const afterLoadPssMiB = mib((s) => s.afterLoad.pssBytes);
  return {
    child: child.id,
    children: samples.length,
    startupCpuMs: mean(samples.map((s) => s.startupCpuMs)),
    bigCpuMsPerMiB,
    smallCpuMsPerMiB: smallCpuMs / (load.smallPayloadBytes / MiB),
    smallCpuUsPerAction: (smallCpuMs * 1000) / load.small.length,
    idlePssMiB: mib((s) => s.idle.pssBytes),
    idleRssMiB: mib((s) => s.idle.rssBytes),
    afterBigPssMiB: mib((s) => s.afterBig.pssBytes),
    afterBigRssMiB: mib((s) => s.afterBig.rssBytes),
    afterLoadPssMiB,
    afterLoadRssMiB: mib((s) => s.afterLoad.rssBytes),
    afterIdlePssMiB: mib((s) => s.afterIdle.pssBytes),
    peakRssMiB: mib((s) => s.afterLoad.peakRssBytes),
    shardsPer24GiB: (24 * 1024) / afterLoadPssMiB,
    shardsPerCoreAt2MBps: 1000 / (bigCpuMsPerMiB * (2e6 / MiB)),
  };
}

/** The issues' targets against this run's numbers: issue 6's that still stand, and issue 14's goals. */
export function verdicts(
  throughput: readonly ThroughputResult[],
  startup: readonly StartupResult[],
  dense: readonly DenseResult[] = [],
): Verdict[] {
  const out: Verdict[] = [];
  const runtimes = ["deno", "bun", "node"];
  const find = (workload: string, child: string) =>
    throughput.find((r) => r.workload === workload && r.child === child);
  const atLeast = (issue: number, target: string, value: number | null | undefined, minimum: number) => {
    if (value === null || value === undefined) return;
    out.push({ issue, target: `${target} >= ${minimum}`, measured: value.toFixed(2), pass: value >= minimum });
  };
  for (const runtime of runtimes) {
    atLeast(6, `W1 ours/floor on ${runtime}`, find("W1", `ours/${runtime}`)?.vsFloor, 0.85);
  }
  for (const runtime of runtimes) {
    const ours = find("W1", `ours/${runtime}`);
    const floor = find("W1", `floor/${runtime}`);
    if (ours === undefined || floor === undefined) continue;
    const extra = ours.peakRssMb - floor.peakRssMb;
    out.push({
      issue: 6,
      target: `W1 peak RSS ours - floor on ${runtime} <= 40 MB`,
      measured: `${extra.toFixed(1)} MB (${ours.peakRssMb.toFixed(0)} vs ${floor.peakRssMb.toFixed(0)})`,
      pass: extra <= 40,
    });
  }
  const limits: Record<string, number> = { "ours/bun": 20, "ours/deno": 45, "ours/node": 70 };
  for (const result of startup) {
    const limit = limits[result.child];
    if (limit === undefined) continue;
    out.push({
      issue: 6,
      target: `W4 ${result.child} <= ${limit} ms per child`,
      measured: `${result.medianMs.toFixed(1)} ms (median)`,
      pass: result.medianMs <= limit,
    });
  }

  // Issue 14: each goal a ratio of two children measured in this run.
  const d = (child: string) => dense.find((r) => r.child === child);
  const atMost = (target: string, ours: number | undefined, other: number | undefined, limit: number, unit = "") => {
    if (ours === undefined || other === undefined) return;
    const ratio = ours / other;
    out.push({
      issue: 14,
      target: `${target} <= ${limit}`,
      measured: `${ratio.toFixed(2)} (${ours.toFixed(1)} vs ${other.toFixed(1)}${unit})`,
      pass: ratio <= limit,
    });
  };
  const below = (target: string, ours: number | undefined, other: number | undefined, unit: string) => {
    if (ours === undefined || other === undefined) return;
    out.push({
      issue: 14,
      target: `${target} < aws-kcl`,
      measured: `${ours.toFixed(1)} vs ${other.toFixed(1)}${unit}`,
      pass: ours < other,
    });
  };
  for (
    const [phase, pick] of [
      ["20 MB batch", (r: DenseResult) => r.bigCpuMsPerMiB],
      ["1 KiB actions", (r: DenseResult) => r.smallCpuMsPerMiB],
    ] as const
  ) {
    for (const runtime of runtimes) {
      const ours = d(`ours/${runtime}`);
      const floor = d(`floor/${runtime}`);
      atMost(`W5 CPU/MiB (${phase}) ours/floor on ${runtime}`, ours && pick(ours), floor && pick(floor), 1.1, " ms");
    }
    const ours = d("ours/node");
    const aws = d("aws-kcl/node");
    below(`W5 CPU/MiB (${phase}) ours on node`, ours && pick(ours), aws && pick(aws), " ms");
  }
  for (const workload of ["W2", "W3"]) {
    for (const runtime of runtimes) {
      atLeast(14, `${workload} ours/floor on ${runtime}`, find(workload, `ours/${runtime}`)?.vsFloor, 0.95);
    }
    atLeast(14, `${workload} ours/aws-kcl on node`, find(workload, "ours/node")?.vsAwsKcl, 1);
  }
  for (const runtime of runtimes) {
    const ours = d(`ours/${runtime}`);
    const floor = d(`floor/${runtime}`);
    if (ours === undefined || floor === undefined) continue;
    const extra = ours.afterLoadPssMiB - floor.afterLoadPssMiB;
    out.push({
      issue: 14,
      target: `W5 PSS kept after a 20 MB batch (and the small ones), ours - floor on ${runtime} <= 10 MiB`,
      measured: `${extra.toFixed(1)} MiB (${ours.afterLoadPssMiB.toFixed(1)} vs ${floor.afterLoadPssMiB.toFixed(1)})`,
      pass: extra <= 10,
    });
  }
  below(
    "W5 PSS kept after a 20 MB batch (and the small ones), ours on node",
    d("ours/node")?.afterLoadPssMiB,
    d("aws-kcl/node")?.afterLoadPssMiB,
    " MiB",
  );
  for (const runtime of runtimes) {
    atMost(
      `W5 start-up CPU ours/floor on ${runtime}`,
      d(`ours/${runtime}`)?.startupCpuMs,
      d(`floor/${runtime}`)?.startupCpuMs,
      1.3,
      " ms",
    );
  }
  // W4: one child at a time, median of the spawns; CPU, as wall time on a shared machine counts the neighbours.
  const w4 = (child: string) => startup.find((r) => r.child === child)?.medianCpuMs;
  for (const runtime of runtimes) {
    atMost(`W4 start-up CPU ours/floor on ${runtime}`, w4(`ours/${runtime}`), w4(`floor/${runtime}`), 1.3, " ms");
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
  dense: readonly DenseResult[] = [],
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
  const w5 = workloads.find((w) => w.id === "W5");
  if (w5 !== undefined && dense.length > 0) {
    lines.push(`### W5 ${w5.title}`, "");
    lines.push(
      "| child | start-up CPU ms | CPU ms/MiB, 20 MB batch | CPU ms/MiB, 1 KiB actions | CPU µs/action | " +
        "PSS idle MiB | PSS after 20 MB MiB | RSS after 20 MB MiB | PSS after load MiB | RSS after load MiB | " +
        "PSS after idle MiB | peak RSS MiB | shards per 24 GiB | shards per core at 2 MB/s |",
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const r of dense) {
      lines.push(
        `| ${r.child} | ${r.startupCpuMs.toFixed(0)} | ${r.bigCpuMsPerMiB.toFixed(1)} | ${
          r.smallCpuMsPerMiB.toFixed(1)
        } | ${r.smallCpuUsPerAction.toFixed(0)} | ${r.idlePssMiB.toFixed(1)} | ${r.afterBigPssMiB.toFixed(1)} | ${
          r.afterBigRssMiB.toFixed(1)
        } | ${r.afterLoadPssMiB.toFixed(1)} | ${r.afterLoadRssMiB.toFixed(1)} | ${r.afterIdlePssMiB.toFixed(1)} | ${
          r.peakRssMiB.toFixed(0)
        } | ${grouped(r.shardsPer24GiB)} | ${grouped(r.shardsPerCoreAt2MBps)} |`,
      );
    }
    lines.push("");
  }
  if (found.length > 0) {
    lines.push("### Targets", "", "| issue | target | measured | |", "|--:|---|--:|---|");
    for (const v of found) {
      lines.push(`| ${v.issue} | ${v.target} | ${v.measured} | ${v.pass ? "met" : "**missed**"} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
