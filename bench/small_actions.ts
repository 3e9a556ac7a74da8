/**
 * A focused measure of CPU per small action (issue 20): one child at a time
 * over real pipes takes `--warm` actions, then `--actions` more, each one
 * `processRecords` with 1 record of 1 KiB -> its checkpoint request -> the
 * reply -> the status, and the child's CPU over the measured actions (the
 * sum of its threads' `schedstat`, exact) is reported per action. Kinds take
 * turns in every round, so that load hits them alike; medians over rounds.
 *
 * `--base DIR`: also runs `ours` from another checkout of the repository
 * (say `git worktree add /tmp/base main`), as `base/<runtime>`, for before
 * and after in the same run.
 *
 * `--big`: each child first takes one W5 batch (10,000 records of 1,500 B),
 * as in W5, where the small actions follow it. `--threads`: also the CPU
 * per action of each kind of thread (medians; threads named alike summed:
 * on Bun `JITWorker` is the compiler threads, `bun` the main thread).
 * `--big-only`: the big batch alone, its CPU reported per MiB of its line
 * (from `initialize`'s status to the batch's, threads summed; W5 divides the
 * same CPU by the MiB of decoded payload, 1.46x this figure); with
 * `--kinds ours,floor,aws-kcl` on Node, the "per MiB of a 20 MB batch".
 * `--batches N` (with `--big-only`): the last of N big batches back to back,
 * a busy shard's steady state, where W5 measures a child's first.
 * `--lockstep`: the kinds of a round alive at once, each small action taken
 * by every kind in turn before the next: a change of the machine's speed
 * (it has slow phases that double every figure) hits them alike within
 * milliseconds, not seconds. The paired ratios then repeat within about 3%
 * (the same code as `ours` and `--base`: 1.00x; one change measured in four
 * runs of 25-31 rounds: 0.94-1.00x), where the default order's move by up to
 * 10% between runs. Both orders leave the cores idle between a child's
 * actions, so each wake-up also pays a core's way out of idle (on Bun about
 * 40-50 µs per small action, the same for every kind): ratios to the floor
 * come out smaller than W5's, whose cores are busy. For W5's regime run two
 * copies at once (bench/README.md, "Bun's small action once more").
 * A kind `<kind>+<flag>` runs that child with `--<flag>`, as W5's
 * `<kind>/<runtime>+<flag>`: `floor+api`, `ours+sync`.
 * `--node-js DIR` (and `--base-node-js DIR` for `--base`): Node runs the
 * children compiled to JavaScript in DIR, as W5 does (`bench/node_build.ts`'s
 * output: `bench/.peers/node-js/npm`, ours bundled as the npm package ships
 * it, or `bench/.peers/node-js`, one file per module); without it Node
 * strips the `.ts` sources' types at every start, whose compiler's garbage
 * moves the big batch's collections (ours 1.15x aws-kcl per MiB stripped,
 * about 1.0x compiled, the same code).
 *
 * Run by Node, the children read a socket (Node's `child_process` pipes are
 * socket pairs); run by Deno (`deno run -A bench/small_actions.ts …`), a
 * pipe, as in W5 and under the Java daemon.
 *
 * Usage: `node bench/small_actions.ts [--rounds 5] [--warm 20] [--actions 980] [--runtimes deno,bun,node]
 * [--kinds ours,floor,aws-kcl] [--base DIR] [--big] [--big-only] [--batches 1] [--threads] [--lockstep] [--flags="--cpu-prof --cpu-prof-dir=DIR"]` (the defaults:
 * W5's small actions, without its big batch).
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    warm: { type: "string", default: "20" },
    actions: { type: "string", default: "980" },
    runtimes: { type: "string", default: "deno,bun,node" },
    base: { type: "string" },
    kinds: { type: "string", default: "ours,floor" },
    flags: { type: "string", default: "" },
    big: { type: "boolean", default: false },
    "big-only": { type: "boolean", default: false },
    batches: { type: "string", default: "1" },
    threads: { type: "boolean", default: false },
    lockstep: { type: "boolean", default: false },
    "node-js": { type: "string" },
    "base-node-js": { type: "string" },
  },
});
if (values.lockstep && values["big-only"]) {
  throw new Error("Cannot measure --big-only in --lockstep: the big batch is measured one child at a time");
}
const batches = Number(values.batches);
if (!Number.isSafeInteger(batches) || batches < 1 || (batches > 1 && !values["big-only"])) {
  throw new Error(`Cannot measure --batches ${values.batches}: give a whole number >= 1, with --big-only`);
}
const root = join(import.meta.dirname ?? ".", "..");
const bin = join(root, ".ci/tools/node_modules/.bin");

function command(runtime: string, program: string): string[] {
  const flags = values.flags === "" ? [] : values.flags.split(" ");
  if (runtime === "deno") return [join(bin, "deno"), "run", "--allow-env", "--allow-read", ...flags, program];
  if (runtime === "bun") return [join(bin, "bun"), ...flags, program];
  return [join(bin, "node"), "--disable-warning=ExperimentalWarning", ...flags, program];
}

/** A child's program: on Node, the compiled one when `js` (a `bench/node_build.ts` output directory) is given. */
function child(runtime: string, source: string, js: string | undefined, name: string): string {
  if (runtime === "node" && js !== undefined) return join(js, "bench/children", `${name}.js`);
  return join(source, "bench/children", `${name}.ts`);
}

const kinds: { id: string; argv: string[] }[] = [];
for (const runtime of values.runtimes.split(",")) {
  for (const kind of values.kinds.split(",")) {
    // aws-kcl is a Node package: Node only.
    if (kind === "aws-kcl" && runtime !== "node") continue;
    // `<kind>+<flag>`: that kind's child run with `--<flag>`.
    const [name = kind, flag] = kind.split("+");
    const file = name === "aws-kcl" ? "aws_kcl" : name;
    if (!["ours", "floor", "aws_kcl"].includes(file)) {
      throw new Error(`Cannot measure kind ${kind}: known kinds are ours, floor and aws-kcl, each with +<flag>`);
    }
    kinds.push({
      id: `${kind}/${runtime}`,
      argv: [
        ...command(runtime, child(runtime, root, values["node-js"], file)),
        ...(flag === undefined ? [] : [`--${flag}`]),
      ],
    });
  }
  if (values.base !== undefined) {
    kinds.push({
      id: `base/${runtime}`,
      argv: command(runtime, child(runtime, values.base, values["base-node-js"], "ours")),
    });
  }
}

const payload = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7919) & 255)).toString("base64");
function record(n: number, data: string): string {
  const sequenceNumber = `4959033827149025660855969253836157109592157598${String(n).padStart(10, "0")}`;
  return `{"data":"${data}","partitionKey":"pk-${n % 1000}","sequenceNumber":"${sequenceNumber}",` +
    `"approximateArrivalTimestamp":${1700000000000 + n},"subSequenceNumber":0,"action":"record"}`;
}
function line(n: number): string {
  return `{"action":"processRecords","records":[${record(n, payload)}],"millisBehindLatest":0}\n`;
}
const bigPayload = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 31) & 255)).toString("base64");
const bigOnly = values["big-only"];
const bigLine = values.big || bigOnly
  ? `{"action":"processRecords","records":[${
    Array.from({ length: 10_000 }, (_, i) => record(900_000 + i, bigPayload)).join(",")
  }],"millisBehindLatest":0}\n`
  : "";

/** CPU ms of each kind of thread of `pid` (named alike, digits dropped: summed), from `schedstat`. */
function threadCpuMs(pid: number): Map<string, number> {
  const script = `for t in /proc/${pid}/task/*; do echo "$(tr ' ' _ < $t/comm) $(cut -d' ' -f1 $t/schedstat)"; done`;
  const text = execFileSync("sh", ["-c", script], { encoding: "utf8" });
  const byKind = new Map<string, number>();
  for (const row of text.trim().split("\n")) {
    const [name = "", ns = "0"] = row.split(" ");
    const kind = name.replace(/[0-9]+$/, "");
    byKind.set(kind, (byKind.get(kind) ?? 0) + Number(ns) / 1e6);
  }
  return byKind;
}

const sum = (byKind: Map<string, number>) => [...byKind.values()].reduce((a, b) => a + b, 0);

/** A child over real pipes, driven as the daemon drives it. */
interface Driven {
  readonly pid: number;
  /** Sends one action's line and answers its checkpoints until its status. */
  act(text: string): Promise<void>;
  /** Ends its input and waits for it to exit. */
  close(): Promise<void>;
}

const INITIALIZE =
  '{"action":"initialize","shardId":"shardId-0","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}\n';

/** Starts a child and takes it through `initialize`. */
async function start(argv: string[]): Promise<Driven> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "ignore"] });
  let buffer = "";
  let waiting: ((line: string) => void) | undefined;
  const lines: string[] = [];
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      // aws-kcl writes an empty line first.
      if (newline > 0) lines.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
    if (waiting !== undefined && lines.length > 0) {
      const resolve = waiting;
      waiting = undefined;
      resolve(lines.shift()!);
    }
  });
  const next = () =>
    lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise<string>((resolve) => (waiting = resolve));
  const send = (text: string) => child.stdin!.write(text);
  const act = async (text: string): Promise<void> => {
    send(text);
    for (;;) {
      const reply = JSON.parse(await next());
      if (reply.action === "status") break;
      // aws-kcl names the position `checkpoint`.
      send(
        `{"action":"checkpoint","sequenceNumber":${
          JSON.stringify(reply.sequenceNumber ?? reply.checkpoint ?? null)
        },"subSequenceNumber":${JSON.stringify(reply.subSequenceNumber ?? 0)},"error":null}\n`,
      );
    }
  };
  const close = async (): Promise<void> => {
    child.stdin!.end();
    await new Promise((resolve) => child.on("exit", resolve));
  };
  await act(INITIALIZE);
  return { pid: child.pid!, act, close };
}

/** CPU of `driven`'s threads between two `threadCpuMs` readings, per unit. */
function cpuPer(before: Map<string, number>, after: Map<string, number>, unit: (ms: number) => number) {
  const threads = new Map([...after].map(([kind, ms]) => [kind, unit(ms - (before.get(kind) ?? 0))]));
  return { total: unit(sum(after) - sum(before)), threads };
}

const perAction = (ms: number) => (ms * 1000) / Number(values.actions);

/** Runs one child; returns its CPU µs per measured action, in all and by kind of thread. */
async function measure(argv: string[]): Promise<{ total: number; threads: Map<string, number> }> {
  const child = await start(argv);
  if (bigOnly) {
    // A busy shard's steady state: the batches before the measured one, back to back.
    for (let n = 1; n < batches; n++) await child.act(bigLine);
    const before = threadCpuMs(child.pid);
    await child.act(bigLine);
    const after = threadCpuMs(child.pid);
    await child.close();
    const mib = Buffer.byteLength(bigLine) / (1024 * 1024);
    return cpuPer(before, after, (ms) => ms / mib);
  }
  if (values.big) await child.act(bigLine);
  const warm = Number(values.warm);
  const total = warm + Number(values.actions);
  let before = new Map<string, number>();
  for (let n = 0; n < total; n++) {
    if (n === warm) before = threadCpuMs(child.pid);
    await child.act(line(n));
  }
  const after = threadCpuMs(child.pid);
  await child.close();
  return cpuPer(before, after, perAction);
}

/** `--lockstep`: one child of every kind alive at once, taking each small action in turn; the CPU of each. */
async function measureLockstep(argvs: string[][]): Promise<{ total: number; threads: Map<string, number> }[]> {
  const children = await Promise.all(argvs.map(start));
  if (values.big) { for (const child of children) await child.act(bigLine); }
  const warm = Number(values.warm);
  const total = warm + Number(values.actions);
  let before: Map<string, number>[] = [];
  for (let n = 0; n < total; n++) {
    if (n === warm) before = children.map((child) => threadCpuMs(child.pid));
    for (const child of children) await child.act(line(n));
  }
  const after = children.map((child) => threadCpuMs(child.pid));
  await Promise.all(children.map((child) => child.close()));
  return after.map((reading, i) => cpuPer(before[i]!, reading, perAction));
}

const results = new Map<string, number[]>(kinds.map((kind) => [kind.id, []]));
const threadResults = new Map<string, Map<string, number[]>>(kinds.map((kind) => [kind.id, new Map()]));
for (let round = 0; round < Number(values.rounds); round++) {
  const order = [...kinds].sort(() => Math.random() - 0.5);
  const measured = values.lockstep
    ? await measureLockstep(order.map((kind) => kind.argv))
    : await sequentially(order, (kind) => measure(kind.argv));
  for (const [i, { total, threads }] of measured.entries()) {
    const id = order[i]!.id;
    results.get(id)!.push(total);
    const byKind = threadResults.get(id)!;
    for (const [thread, us] of threads) byKind.set(thread, [...byKind.get(thread) ?? [], us]);
  }
  const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  console.log(`round ${round + 1} done (load ${load})`);
}
async function sequentially<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await task(item));
  return results;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [id, xs] of results) {
  const runtime = id.split("/")[1];
  const awsKcl = results.get(`aws-kcl/${runtime}`);
  const floor = results.get(`floor/${runtime}`);
  // Paired by round (the kinds of a round ran back to back, under the same load): the median of the ratios.
  const paired = (other: number[]) => median(xs.map((x, i) => x / other[i]!)).toFixed(2);
  const base = results.get(`base/${runtime}`);
  const ratio = (floor === undefined ? "" : ` ${paired(floor)}x floor`) +
    (base === undefined || id.startsWith("base/") ? "" : ` ${paired(base)}x base`) +
    (awsKcl === undefined ? "" : ` ${paired(awsKcl)}x aws-kcl`);
  const quartile = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 4)]!;
  console.log(
    `${id.padEnd(12)} median ${median(xs).toFixed(bigOnly ? 2 : 1)} ${
      bigOnly ? "ms/MiB" : "µs/action"
    }${ratio}, lower quartile ${quartile.toFixed(1)}  [${xs.map((x) => x.toFixed(bigOnly ? 1 : 0))}]`,
  );
  if (values.threads) {
    const byThread = [...threadResults.get(id)!].map(([thread, us]) => `${thread} ${median(us).toFixed(1)}`);
    console.log(`${"".padEnd(12)} by thread (µs/action, medians): ${byThread.join(", ")}`);
  }
}
