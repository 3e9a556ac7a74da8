/**
 * The benchmark of issues 6 and 14: our child against the floor (the least
 * any correct child does) on Deno, Bun and Node, and against the official
 * `aws-kcl` on Node, over real pipes, with ratios measured in one run.
 *
 * ```sh
 * deno task bench            # full run (W1 20 x 20 MB, W2 5,000 actions, W3 20,000 checkpoints, W4 30 spawns,
 *                            #   W5 50 children per kind, 5 of every kind at once)
 * deno task bench --quick    # about a minute (W5 with 6 children, no flag variants)
 * deno task bench --workloads W5 --children 20 --small 2000 --only ours/node,floor/node,ours/node+small-heap
 * deno task bench --reps 3 --only ours/node,floor/node --workloads W1,W2 --out /tmp/x.json
 * deno task bench --quick --only ours/node --workloads W1 --profile /tmp/prof   # --cpu-prof (Node, Bun), --prof (Deno)
 * deno task bench --quick --proto /tmp/proto   # also run a changed copy of the module (before/after)
 * deno task bench --workloads W5 --only ours/node,proto/node --proto /tmp/main --proto-per-module   # the bundle
 * ```
 *
 * A `--proto` copy holds the repository's `mod.ts`, `src/`, `deno.json`, `package.json` (Node compiles it as ESM)
 * and `bench/children/`; its `proto/<runtime>` children run beside ours. With `--proto-per-module`, proto's Node
 * child loads the module one file per module (the npm package before the bundle) where ours loads the bundle.
 *
 * Prints a markdown table and writes `bench/results/latest.json` (a full run) or `bench/results/partial.json`.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Child, children } from "./children.ts";
import { measureDense } from "./dense.ts";
import { measureStartup, measureThroughput, type StartupSample, type ThroughputSample } from "./measure.ts";
import { buildNodeJs } from "./node_build.ts";
import {
  type DenseResult,
  denseResult,
  markdown,
  median,
  type StartupResult,
  type ThroughputResult,
  throughputResults,
  verdicts,
} from "./report.ts";
import { describeMachine, loadAverage, prepareRuntimes } from "./tools.ts";
import { createWorkloads, FULL, QUICK } from "./workloads.ts";

interface Options {
  quick: boolean;
  reps: number;
  only: string[] | undefined;
  workloads: string[] | undefined;
  out: string;
  profile: string | undefined;
  proto: string | undefined;
  /** proto/node loads the module one file per module, not bundled as the npm package ships it. */
  protoPerModule: boolean;
  /** W5: children of a kind at once, and small batches each (default: the plan's). */
  children: number;
  small: number;
}

/** W5's idle time before "after idle": past V8's memory reducer (~8 s after a full collection). */
const IDLE_MS = 12_000;
/** W5: children of each kind alive at once in one round (all kinds take turns; ~100 MiB each after a big batch). */
const W5_PER_ROUND = 5;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => void process.stderr.write(`${line}\n`);

function parseOptions(args: readonly string[]): Options {
  const options: Options = {
    quick: false,
    reps: 0,
    only: undefined,
    workloads: undefined,
    out: "",
    profile: undefined,
    proto: undefined,
    protoPerModule: false,
    children: 0,
    small: 0,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`Cannot parse arguments: ${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--reps") options.reps = Number(value());
    else if (arg === "--only") options.only = value().split(",");
    else if (arg === "--workloads") options.workloads = value().split(",");
    else if (arg === "--out") options.out = resolve(value());
    else if (arg === "--profile") options.profile = resolve(value());
    else if (arg === "--proto") options.proto = resolve(value());
    else if (arg === "--proto-per-module") options.protoPerModule = true;
    else if (arg === "--children") options.children = Number(value());
    else if (arg === "--small") options.small = Number(value());
    else {throw new Error(
        `Cannot parse arguments: unknown ${arg} (known: --quick --reps --only --workloads --out --profile --proto --proto-per-module --children --small)`,
      );}
  }
  if (options.reps === 0) options.reps = options.quick ? 1 : 5;
  // A partial or quick run never replaces the full run's results that the README quotes.
  const partial = options.quick || options.only !== undefined || options.workloads !== undefined ||
    options.children !== 0 || options.small !== 0;
  if (options.out === "") {
    options.out = join(root, partial ? "bench/results/partial.json" : "bench/results/latest.json");
  }
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error("Cannot parse arguments: --reps >= 1");
  for (const [name, count] of [["--children", options.children], ["--small", options.small]] as const) {
    if (!Number.isInteger(count) || count < 0) throw new Error(`Cannot parse arguments: ${name} >= 1`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const loadBefore = await loadAverage(root);
  const runtimes = await prepareRuntimes(root, log);
  const nodeJs = await buildNodeJs(root, log);
  const proto = options.proto === undefined
    ? undefined
    : { dir: options.proto, nodeJs: await buildNodeJs(root, log, options.proto, options.protoPerModule) };
  const base = options.quick ? QUICK : FULL;
  const plan = {
    ...base,
    ...(options.children === 0 ? {} : { w5Children: options.children }),
    ...(options.small === 0 ? {} : { w5SmallBatches: options.small }),
  };
  log(`Generating workloads (${options.quick ? "quick" : "full"})…`);
  const workloads = createWorkloads(plan).filter((w) => options.workloads?.includes(w.id) ?? true);
  const all = children(root, {
    runtimes,
    nodeJs,
    ...(proto === undefined ? {} : { proto }),
    ...(options.profile === undefined ? {} : { profileDir: options.profile }),
  }).filter((c) => options.only !== undefined ? options.only.includes(c.id) : !(options.quick && c.flags.length > 0));

  const throughput: ThroughputResult[] = [];
  for (const workload of workloads) {
    if (workload.id === "W4" || workload.id === "W5") continue;
    const samples = new Map<Child, ThroughputSample[]>();
    // Repetitions interleave the children so that a noisy neighbour hits them alike; the best one counts.
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const child of all.filter((c) => c.workloads.has(workload.id))) {
        const sample = await measureThroughput(child, workload, root);
        log(
          `${workload.id} ${child.id} rep ${rep}: ${sample.seconds.toFixed(3)} s, CPU ${
            sample.cpuSeconds.toFixed(3)
          } s`,
        );
        samples.set(child, [...(samples.get(child) ?? []), sample]);
      }
    }
    throughput.push(...throughputResults(workload, samples));
  }

  const startup: StartupResult[] = [];
  const w4 = workloads.find((w) => w.id === "W4");
  if (w4 !== undefined) {
    const times = new Map<Child, StartupSample[]>();
    const starting = all.filter((c) => c.workloads.has("W4"));
    // One untimed spawn each fills the runtimes' caches (Deno's transpile cache, Node's compile cache).
    for (const child of starting) await measureStartup(child, root);
    for (let i = 0; i < w4.spawns; i++) {
      for (const child of starting) {
        times.set(child, [...(times.get(child) ?? []), await measureStartup(child, root)]);
      }
    }
    for (const [child, list] of times) {
      const ms = list.map((t) => t.ms);
      startup.push({
        child: child.id,
        medianMs: median(ms),
        meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
        minMs: Math.min(...ms),
        peakRssMb: Math.max(...list.map((t) => t.peakRssBytes)) / 1e6,
        medianCpuMs: median(list.map((t) => t.cpuMs)),
        samplesMs: ms,
        samplesCpuMs: list.map((t) => t.cpuMs),
      });
      log(`W4 ${child.id}: median ${median(ms).toFixed(1)} ms, CPU ${median(list.map((t) => t.cpuMs)).toFixed(1)} ms`);
    }
  }

  const dense: DenseResult[] = [];
  const w5 = workloads.find((w) => w.id === "W5");
  if (w5 !== undefined) {
    const kinds = all.filter((c) => c.workloads.has("W5"));
    // Untimed: fills the runtimes' caches, as a host that ran the consumer before has them.
    for (const child of kinds) await measureStartup(child, root);
    const samples = await measureDense(kinds, w5, root, options.quick ? 2000 : IDLE_MS, W5_PER_ROUND, log);
    for (const child of kinds) {
      const result = denseResult(child, w5, samples.get(child)!);
      dense.push(result);
      log(
        `W5 ${child.id} x ${result.children}: start-up ${result.startupCpuMs.toFixed(0)} ms CPU, ` +
          `${result.bigCpuMsPerMiB.toFixed(1)} ms/MiB, first ${result.firstSmallCpuMs.toFixed(0)} ms, ` +
          `${result.smallCpuUsPerAction.toFixed(0)} µs/action, ` +
          `PSS ${result.afterBigPssMiB.toFixed(1)} MiB after 20 MB, ${result.afterLoadPssMiB.toFixed(1)} after load, ` +
          `${result.afterIdlePssMiB.toFixed(1)} after idle`,
      );
    }
  }

  const found = verdicts(throughput, startup, dense);
  const versions = runtimes.versions;
  const machine = await describeMachine(root);
  const loadAfter = await loadAverage(root);
  const header = [
    `Deno ${versions.deno}, Bun ${versions.bun}, Node ${versions.node}, aws-kcl ${versions.awsKcl}; ` +
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB; ` +
    `${options.quick ? "quick" : "full"} run, best of ${options.reps}, ${new Date().toISOString().slice(0, 10)}; ` +
    `load average ${loadBefore.join(" ")} before, ${loadAfter.join(" ")} after; ` +
    "Node children: compiled JavaScript (the npm build's options)",
    "",
  ];
  process.stdout.write(`${header.join("\n")}\n${markdown(workloads, throughput, startup, found, dense)}\n`);
  mkdirSync(dirname(options.out), { recursive: true });
  const record = {
    date: new Date().toISOString(),
    mode: options.quick ? "quick" : "full",
    command: `deno task bench ${process.argv.slice(2).join(" ")}`.trim(),
    repetitions: options.reps,
    machine: {
      ...machine,
      platform: `${process.platform}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAfter,
    },
    versions,
    workloads: workloads.map(({ id, title, records, inputBytes, everyRecord, spawns, batches, dense }) => ({
      id,
      title,
      actions: batches.length,
      records,
      inputBytes,
      everyRecord,
      spawns,
      ...(dense === undefined ? {} : { children: dense.children }),
    })),
    throughput,
    startup,
    dense,
    targets: found,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileSync(options.out, `${JSON.stringify(record, null, 2)}\n`);
  log(`Wrote ${options.out} after ${record.seconds.toFixed(1)} s`);
}

await main();
