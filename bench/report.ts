/**
 * Turns samples into the numbers the issue asks for: rates, ratios measured
 * in the same run, the targets' verdicts, a markdown table and a JSON record.
 *
 * @module
 */

import type { Child } from "./children.ts";
import { type DenseSample, FIRST_SMALL } from "./dense.ts";
import type { ThroughputSample } from "./measure.ts";
import type { ProcSample } from "./proc.ts";
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

/** A figure over the children of one kind: least, median, most. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Values that fall into two groups (a gap wider than {@linkcode MODE_GAP_MIB}): each group's size and median. */
export interface Modes {
  readonly low: { readonly count: number; readonly median: number };
  readonly high?: { readonly count: number; readonly median: number };
}

/**
 * One kind of child on W5, a dense host. Every figure is per child: the
 * scalar fields are medians over the children, `spread` has least, median
 * and most of each.
 */
export interface DenseResult {
  readonly child: string;
  readonly children: number;
  readonly startupCpuMs: number;
  /** CPU per MiB of decoded payload, in the big batch and in the small ones (after the first ones). */
  readonly bigCpuMsPerMiB: number;
  readonly smallCpuMsPerMiB: number;
  /** CPU per small action (one record of 1 KiB + its checkpoint), after the first ones. */
  readonly smallCpuUsPerAction: number;
  /** CPU of the first small actions after the big batch (cold caches, the one collection), in all. */
  readonly firstSmallCpuMs: number;
  readonly idlePssMiB: number;
  readonly idleRssMiB: number;
  readonly afterBigPssMiB: number;
  readonly afterBigRssMiB: number;
  readonly afterLoadPssMiB: number;
  readonly afterLoadRssMiB: number;
  readonly afterIdlePssMiB: number;
  readonly peakRssMiB: number;
  /** 24 GiB / PSS after the load (a busy shard) and after idle (a quiet one). */
  readonly shardsPer24GiB: number;
  readonly quietShardsPer24GiB: number;
  /** One core / CPU of a shard delivering 2 MB/s in big batches. */
  readonly shardsPerCoreAt2MBps: number;
  readonly spread: Readonly<Record<DenseFigure, Spread>>;
  /** PSS after load and after idle, split where the children fall into two groups. */
  readonly modes: { readonly afterLoadPssMiB: Modes; readonly afterIdlePssMiB: Modes };
  /**
   * CPU per small action of the children whose PSS fell below half during the counted small actions (a full
   * collection the runtime chose to run there, paid in the window; ours runs its own before) and of the others.
   */
  readonly smallCpuByCollection: {
    readonly none: { readonly count: number; readonly median: number } | undefined;
    readonly collected: { readonly count: number; readonly median: number } | undefined;
  };
  /** Each child's raw figures, in the order they took their big batch. */
  readonly perChild: readonly Readonly<Record<string, number>>[];
}

/** The per-child figures W5 reports with their spread. */
export type DenseFigure =
  | "startupCpuMs"
  | "bigCpuMsPerMiB"
  | "bigUserMs"
  | "bigSystemMs"
  | "bigMinorFaults"
  | "bigMainThreadMs"
  | "bigOtherThreadsMs"
  | "firstSmallCpuMs"
  | "smallCpuUsPerAction"
  | "smallUserUsPerAction"
  | "smallSystemUsPerAction"
  | "smallMainThreadUsPerAction"
  | "smallOtherThreadsUsPerAction"
  | "idlePssMiB"
  | "afterBigPssMiB"
  | "afterLoadPssMiB"
  | "afterIdlePssMiB"
  | "afterLoadRssMiB";

/** Two groups of memory figures are told apart by a gap this wide. */
export const MODE_GAP_MIB = 15;

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

/** Least, median and most of a non-empty list. */
export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** How many `values` and their median; `undefined` for none. */
function group(values: readonly number[]): { count: number; median: number } | undefined {
  return values.length === 0 ? undefined : { count: values.length, median: median(values) };
}

/** Splits `values` at their widest gap when it exceeds `gap`. */
export function modes(values: readonly number[], gap = MODE_GAP_MIB): Modes {
  const sorted = [...values].sort((a, b) => a - b);
  let at = -1;
  let widest = gap;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! - sorted[i - 1]! > widest) [at, widest] = [i, sorted[i]! - sorted[i - 1]!];
  }
  if (at === -1) return { low: group(sorted)! };
  return { low: group(sorted.slice(0, at))!, high: group(sorted.slice(at))! };
}

/** Whether a child's PSS fell below half during its counted small actions: a full collection ran there. */
function collectedInWindow(child: { afterFirstPssMiB: number; afterLoadPssMiB: number }): boolean {
  return child.afterLoadPssMiB < child.afterFirstPssMiB / 2;
}

/** CPU of a child's main thread (its id is the pid: the lowest of its threads'), exact. */
function mainThreadMs(sample: ProcSample): number {
  return sample.threadCpu.get(Math.min(...sample.threads)) ?? 0;
}

/** W5's figures of one kind of child. */
export function denseResult(child: Child, workload: Workload, samples: readonly DenseSample[]): DenseResult {
  const load = workload.dense!;
  const bigMiB = load.bigPayloadBytes / MiB;
  const counted = load.small.length - FIRST_SMALL;
  const perChild = samples.map((s) => ({
    startupCpuMs: s.startupCpuMs,
    bigCpuMsPerMiB: s.bigCpuMs / bigMiB,
    bigUserMs: s.afterBig.userMs - s.idle.userMs,
    bigSystemMs: s.afterBig.systemMs - s.idle.systemMs,
    bigMinorFaults: s.afterBig.minorFaults - s.idle.minorFaults,
    bigMainThreadMs: mainThreadMs(s.afterBig) - mainThreadMs(s.idle),
    bigOtherThreadsMs: s.afterBig.threadCpuMs - mainThreadMs(s.afterBig) - (s.idle.threadCpuMs - mainThreadMs(s.idle)),
    firstSmallCpuMs: s.firstSmallCpuMs,
    smallCpuUsPerAction: (s.smallCpuMs * 1000) / counted,
    smallUserUsPerAction: ((s.afterLoad.userMs - s.afterFirst.userMs) * 1000) / counted,
    smallSystemUsPerAction: ((s.afterLoad.systemMs - s.afterFirst.systemMs) * 1000) / counted,
    smallMainThreadUsPerAction: ((mainThreadMs(s.afterLoad) - mainThreadMs(s.afterFirst)) * 1000) / counted,
    // The rest of the exact total: the helper threads (on Bun mostly its compilers).
    smallOtherThreadsUsPerAction: ((s.smallCpuMs - mainThreadMs(s.afterLoad) + mainThreadMs(s.afterFirst)) * 1000) /
      counted,
    idlePssMiB: s.idle.pssBytes / MiB,
    afterBigPssMiB: s.afterBig.pssBytes / MiB,
    afterFirstPssMiB: s.afterFirst.pssBytes / MiB,
    afterLoadPssMiB: s.afterLoad.pssBytes / MiB,
    afterIdlePssMiB: s.afterIdle.pssBytes / MiB,
    afterLoadRssMiB: s.afterLoad.rssBytes / MiB,
    bigEndS: s.bigEndMs / 1000,
    loadEndS: s.loadEndMs / 1000,
  })).sort((a, b) => a.bigEndS - b.bigEndS);
  const figures: DenseFigure[] = [
    "startupCpuMs",
    "bigCpuMsPerMiB",
    "bigUserMs",
    "bigSystemMs",
    "bigMinorFaults",
    "bigMainThreadMs",
    "bigOtherThreadsMs",
    "firstSmallCpuMs",
    "smallCpuUsPerAction",
    "smallUserUsPerAction",
    "smallSystemUsPerAction",
    "smallMainThreadUsPerAction",
    "smallOtherThreadsUsPerAction",
    "idlePssMiB",
    "afterBigPssMiB",
    "afterLoadPssMiB",
    "afterIdlePssMiB",
    "afterLoadRssMiB",
  ];
  const spreads = Object.fromEntries(figures.map((f) => [f, spread(perChild.map((c) => c[f]))])) as Record<
    DenseFigure,
    Spread
  >;
  const m = (figure: DenseFigure) => spreads[figure].median;
  const mib = (pick: (sample: DenseSample) => number) => median(samples.map(pick)) / MiB;
  return {
    child: child.id,
    children: samples.length,
    startupCpuMs: m("startupCpuMs"),
    bigCpuMsPerMiB: m("bigCpuMsPerMiB"),
    smallCpuMsPerMiB: m("smallCpuUsPerAction") / 1000 / (load.smallPayloadBytes / load.small.length / MiB),
    smallCpuUsPerAction: m("smallCpuUsPerAction"),
    firstSmallCpuMs: m("firstSmallCpuMs"),
    idlePssMiB: m("idlePssMiB"),
    idleRssMiB: mib((s) => s.idle.rssBytes),
    afterBigPssMiB: m("afterBigPssMiB"),
    afterBigRssMiB: mib((s) => s.afterBig.rssBytes),
    afterLoadPssMiB: m("afterLoadPssMiB"),
    afterLoadRssMiB: m("afterLoadRssMiB"),
    afterIdlePssMiB: m("afterIdlePssMiB"),
    peakRssMiB: mib((s) => s.afterLoad.peakRssBytes),
    shardsPer24GiB: (24 * 1024) / m("afterLoadPssMiB"),
    quietShardsPer24GiB: (24 * 1024) / m("afterIdlePssMiB"),
    shardsPerCoreAt2MBps: 1000 / (m("bigCpuMsPerMiB") * (2e6 / MiB)),
    spread: spreads,
    modes: {
      afterLoadPssMiB: modes(perChild.map((c) => c.afterLoadPssMiB)),
      afterIdlePssMiB: modes(perChild.map((c) => c.afterIdlePssMiB)),
    },
    smallCpuByCollection: {
      none: group(perChild.filter((c) => !collectedInWindow(c)).map((c) => c.smallCpuUsPerAction)),
      collected: group(perChild.filter(collectedInWindow).map((c) => c.smallCpuUsPerAction)),
    },
    perChild: perChild.map((c) =>
      Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Math.round(v * 100) / 100]))
    ),
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
  const atMost = (
    target: string,
    ours: number | undefined,
    other: number | undefined,
    limit: number,
    unit = "",
    issue = 14,
  ) => {
    if (ours === undefined || other === undefined) return;
    const ratio = ours / other;
    out.push({
      issue,
      target: `${target} <= ${limit}`,
      measured: `${ratio.toFixed(2)} (${ours.toFixed(1)} vs ${other.toFixed(1)}${unit})`,
      pass: ratio <= limit,
    });
  };
  const below = (target: string, ours: number | undefined, other: number | undefined, unit: string, issue = 14) => {
    if (ours === undefined || other === undefined) return;
    out.push({
      issue,
      target: `${target} <= aws-kcl`,
      measured: `${ours.toFixed(1)} vs ${other.toFixed(1)}${unit}`,
      pass: ours <= other,
    });
  };
  // Issue 20: CPU per child (medians over the children), small actions counted after the first ones, over the
  // children that ran no full collection there (ours runs its one before: the issue counts it apart); all of them
  // when every child did.
  for (
    const [phase, pick, limit, unit] of [
      ["CPU/MiB, 20 MB batch", (r: DenseResult) => r.bigCpuMsPerMiB, 1.1, " ms"],
      [
        "CPU per small action (no collection in it)",
        (r: DenseResult) => r.smallCpuByCollection.none?.median ?? r.smallCpuUsPerAction,
        1.3,
        " µs",
      ],
    ] as const
  ) {
    for (const runtime of runtimes) {
      const ours = d(`ours/${runtime}`);
      const floor = d(`floor/${runtime}`);
      atMost(`W5 ${phase}, ours/floor on ${runtime}`, ours && pick(ours), floor && pick(floor), limit, unit, 20);
    }
    const ours = d("ours/node");
    const aws = d("aws-kcl/node");
    below(`W5 ${phase}, ours on node`, ours && pick(ours), aws && pick(aws), unit, 20);
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
      "Per child: median (least-most) over the children. CPU after the first " + FIRST_SMALL +
        " small actions; user/system in 10 ms ticks. Collecting: children whose PSS fell below half " +
        "during those actions (a full collection the runtime ran there).",
      "",
      "| child | start-up CPU ms | CPU ms/MiB, 20 MB batch | user / system ms, 20 MB batch | page faults, 20 MB batch | " +
        `CPU ms, first ${FIRST_SMALL} actions | CPU µs/action | user / system µs/action | ` +
        "main / other threads µs/action | PSS after 20 MB MiB | " +
        "PSS after load MiB | PSS after idle MiB | shards per 24 GiB (load / idle) | shards per core at 2 MB/s |",
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    );
    const cell = (r: DenseResult, f: DenseFigure, digits = 1) => {
      const { min, median, max } = r.spread[f];
      return `${median.toFixed(digits)} (${min.toFixed(digits)}-${max.toFixed(digits)})`;
    };
    const mode = (m: Modes) =>
      m.high === undefined
        ? ""
        : `; ${m.low.count} at ${m.low.median.toFixed(0)}, ${m.high.count} at ${m.high.median.toFixed(0)}`;
    const byCollection = ({ smallCpuByCollection: { none, collected } }: DenseResult) =>
      collected === undefined ? "" : `; ${collected.count} collecting at ${collected.median.toFixed(0)}` +
        (none === undefined ? "" : `, ${none.count} not at ${none.median.toFixed(0)}`);
    for (const r of dense) {
      const s = r.spread;
      lines.push(
        `| ${r.child} | ${cell(r, "startupCpuMs", 0)} | ${cell(r, "bigCpuMsPerMiB")} | ${
          s.bigUserMs.median.toFixed(0)
        } / ${s.bigSystemMs.median.toFixed(0)} | ${grouped(s.bigMinorFaults.median)} | ${
          cell(r, "firstSmallCpuMs", 0)
        } | ${cell(r, "smallCpuUsPerAction", 0)}${byCollection(r)} | ${s.smallUserUsPerAction.median.toFixed(0)} / ${
          s.smallSystemUsPerAction.median.toFixed(0)
        } | ${s.smallMainThreadUsPerAction.median.toFixed(0)} / ${s.smallOtherThreadsUsPerAction.median.toFixed(0)} | ${
          cell(r, "afterBigPssMiB")
        } | ${cell(r, "afterLoadPssMiB")}${mode(r.modes.afterLoadPssMiB)} | ${cell(r, "afterIdlePssMiB")}${
          mode(r.modes.afterIdlePssMiB)
        } | ${grouped(r.shardsPer24GiB)} / ${grouped(r.quietShardsPer24GiB)} | ${grouped(r.shardsPerCoreAt2MBps)} |`,
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
