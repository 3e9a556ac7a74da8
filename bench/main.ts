/**
 * The benchmark of issue 6: our child against the floor (the least any
 * correct child does) on Deno, Bun and Node, and against the official
 * `aws-kcl` on Node, over real pipes, with ratios measured in one run.
 *
 * ```sh
 * deno task bench            # full run (W1 20 x 20 MB, W2 5,000 actions, W3 20,000 checkpoints, W4 30 spawns)
 * deno task bench --quick    # under 60 s
 * deno task bench --reps 3 --only ours/node,floor/node --workloads W1,W2 --out /tmp/x.json
 * deno task bench --quick --only ours/node --workloads W1 --profile /tmp/prof   # --cpu-prof (Node, Bun), --prof (Deno)
 * deno task bench --quick --proto bench/.peers/proto   # also run a changed copy of the module (before/after)
 * ```
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
import { measureStartup, measureThroughput, type StartupSample, type ThroughputSample } from "./measure.ts";
import { markdown, median, type StartupResult, type ThroughputResult, throughputResults, verdicts } from "./report.ts";
import { describeMachine, prepareRuntimes } from "./tools.ts";
import { createWorkloads, FULL, QUICK } from "./workloads.ts";

interface Options {
  quick: boolean;
  reps: number;
  only: string[] | undefined;
  workloads: string[] | undefined;
  out: string;
  profile: string | undefined;
  proto: string | undefined;
}

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
    else {throw new Error(
        `Cannot parse arguments: unknown ${arg} (known: --quick --reps --only --workloads --out --profile --proto)`,
      );}
  }
  if (options.reps === 0) options.reps = options.quick ? 1 : 5;
  // A partial or quick run never replaces the full run's results that the README quotes.
  const partial = options.quick || options.only !== undefined || options.workloads !== undefined;
  if (options.out === "") {
    options.out = join(root, partial ? "bench/results/partial.json" : "bench/results/latest.json");
  }
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error("Cannot parse arguments: --reps >= 1");
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const runtimes = await prepareRuntimes(root, log);
  const plan = options.quick ? QUICK : FULL;
  log(`Generating workloads (${options.quick ? "quick" : "full"})…`);
  const workloads = createWorkloads(plan).filter((w) => options.workloads?.includes(w.id) ?? true);
  const all = children(root, runtimes, options.profile, options.proto).filter((c) =>
    options.only?.includes(c.id) ?? true
  );

  const throughput: ThroughputResult[] = [];
  for (const workload of workloads) {
    if (workload.id === "W4") continue;
    const samples = new Map<Child, ThroughputSample[]>();
    // Repetitions interleave the children so that a noisy neighbour hits them alike; the best one counts.
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const child of all.filter((c) => !c.startupOnly)) {
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
    // One untimed spawn each fills the runtimes' caches (Deno's transpile cache, Node's compile cache).
    for (const child of all) await measureStartup(child, root);
    for (let i = 0; i < w4.spawns; i++) {
      for (const child of all) times.set(child, [...(times.get(child) ?? []), await measureStartup(child, root)]);
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

  const found = verdicts(throughput, startup);
  const versions = runtimes.versions;
  const machine = await describeMachine(root);
  const header = [
    `Deno ${versions.deno}, Bun ${versions.bun}, Node ${versions.node}, aws-kcl ${versions.awsKcl}; ` +
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB; ` +
    `${options.quick ? "quick" : "full"} run, best of ${options.reps}, ${new Date().toISOString().slice(0, 10)}`,
    "",
  ];
  process.stdout.write(`${header.join("\n")}\n${markdown(workloads, throughput, startup, found)}\n`);
  mkdirSync(dirname(options.out), { recursive: true });
  const record = {
    date: new Date().toISOString(),
    mode: options.quick ? "quick" : "full",
    command: `deno task bench ${process.argv.slice(2).join(" ")}`.trim(),
    repetitions: options.reps,
    machine: { ...machine, platform: `${process.platform}` },
    versions,
    workloads: workloads.map(({ id, title, records, inputBytes, everyRecord, spawns, batches }) => ({
      id,
      title,
      actions: batches.length,
      records,
      inputBytes,
      everyRecord,
      spawns,
    })),
    throughput,
    startup,
    targets: found,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileSync(options.out, `${JSON.stringify(record, null, 2)}\n`);
  log(`Wrote ${options.out} after ${record.seconds.toFixed(1)} s`);
}

await main();
