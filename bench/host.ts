/**
 * W5 for the shard host: many shards through one host process (and through
 * N processes on one socket, as `kcl-launcher --host` runs them), each
 * shard's child a relay (`socat STDIO UNIX-CONNECT:<path>`, or `nc -N -U`).
 * Per runtime: PSS of the hosts plus every relay divided by the shards, CPU
 * per MiB of a 20 MB batch and per small action, and the latency of small
 * actions on other shards while big batches are parsed. `--throughput`
 * instead measures busy shards (1 vs N host processes): MiB per second, and
 * CPU per MiB of each part (the hosts' main threads and their other
 * threads, the relays, the bench's own daemon side), as bench/HOST.md
 * explains. `--spread n` starts the hosts n times and counts how a burst of
 * relays (the daemon starting its leases) spread over the processes, with
 * the session counts beside the socket (`--balance counts`, as
 * `kcl-launcher --host` runs them) or without (`--balance off`). The bench also runs on Node (`node bench/host.ts …`), whose
 * daemon side costs less CPU per MiB than Deno's.
 *
 *     deno run -A bench/host.ts [--runtimes deno,bun,node] [--shards 500] [--processes 1,2] [--relay socat|nc]
 *     deno run -A bench/host.ts --throughput [--shards 100] [--processes 1,2] [--relay socat|nc|none]
 *         [--socat-buffer 262144] [--gc single] [--v8-flags a,b] [--work n] [--write-chunk 8192]
 *     deno run -A bench/host.ts --spread 12 [--shards 100] [--processes 2] [--balance counts|off]
 *
 * @module
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  bindPrivateSocket,
  LISTEN_FD_VARIABLE,
  listeningDescriptor,
  READY_FD_VARIABLE,
} from "../src/host/socket_path.ts";
import { createSessionCounts } from "../src/host/accept_balance.ts";
import { DaemonSession } from "./daemon_session.ts";
import { cpuBetween, type ProcSample, sampleProcs } from "./proc.ts";
import { describeMachine, loadAverage, prepareRuntimes, type Runtimes } from "./tools.ts";
import { createWorkloads, INITIALIZE_LINE, LEASE_LOST_LINE, QUICK } from "./workloads.ts";

const root = new URL("../", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    runtimes: { type: "string", default: "deno,bun,node" },
    shards: { type: "string" },
    processes: { type: "string", default: `1,${availableParallelism()}` },
    relay: { type: "string", default: "socat" },
    small: { type: "string", default: "20" },
    probes: { type: "string", default: "200" },
    throughput: { type: "boolean", default: false },
    batches: { type: "string", default: "4" },
    "socat-buffer": { type: "string" },
    gc: { type: "string", default: "default" },
    "v8-flags": { type: "string" },
    work: { type: "string", default: "0" },
    "write-chunk": { type: "string" },
    out: { type: "string" },
    balance: { type: "string", default: "counts" },
    spread: { type: "string" },
  },
});
const runtimesWanted = values.runtimes.split(",") as ("deno" | "bun" | "node")[];
const mode = values.spread !== undefined ? "spread" : values.throughput ? "throughput" : "w5-host";
const shards = Number(values.shards ?? (mode === "w5-host" ? 500 : 100));
const processCounts = values.spread === undefined
  ? values.processes.split(",").map(Number)
  : [Number(values.processes.split(",").at(-1))];
const log = (line: string) => console.error(line);

const HOST_DENO_FLAGS = ["--allow-read", "--allow-write", "--allow-env", "--allow-net"];
const MIB = 1024 * 1024;
/** `--gc single`: V8 collects on the main thread only (Node, Deno); JavaScriptCore's equivalents for Bun. */
const SINGLE_GC = "--single-threaded-gc";
const BUN_SINGLE_GC = { BUN_JSC_numberOfGCMarkers: "1", BUN_JSC_useConcurrentGC: "0" };

interface Hosts {
  readonly pids: number[];
  stop(): Promise<void>;
}

/** Binds `path`, starts `count` host processes accepting on it, waits until each is ready. */
async function startHosts(runtimes: Runtimes, runtime: string, count: number, path: string): Promise<Hosts> {
  const server = createServer();
  const bound = await bindPrivateSocket(server, path);
  const fd = listeningDescriptor(server);
  const counts = await createSessionCounts(bound.path, count);
  const script = join(root, "bench/children/host.ts");
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const single = values.gc === "single";
    const v8 = [...(single ? [SINGLE_GC] : []), ...(values["v8-flags"]?.split(",") ?? [])];
    const [command, args] = runtime === "deno"
      ? [runtimes.deno, [
        "run",
        "--quiet",
        ...HOST_DENO_FLAGS,
        ...(single ? [`--v8-flags=${SINGLE_GC}`] : []),
        script,
        path,
      ]]
      : runtime === "bun"
      ? [runtimes.bun, [script, path]]
      : [runtimes.node, [...v8, script, path]];
    const child = spawn(command, args, {
      stdio: ["ignore", "inherit", "inherit", fd, "pipe"],
      env: {
        ...process.env,
        ...(single && runtime === "bun" ? BUN_SINGLE_GC : {}),
        KCL_BENCH_WORK: values.work,
        ...(values.balance === "off" ? {} : counts.environment(i)),
        [LISTEN_FD_VARIABLE]: "3",
        [READY_FD_VARIABLE]: "4",
      },
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        (child.stdio[4] as NodeJS.ReadableStream).once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`a ${runtime} host exited with ${code} before it was ready`)));
      }),
    );
  }
  server.close();
  await Promise.all(ready);
  return {
    pids: children.map((child) => child.pid!),
    async stop() {
      await Promise.all(children.map((child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        })
      ));
      await bound.remove();
      await counts.remove();
    },
  };
}

/** A shard's session straight over the socket, no relay: the bench's daemon side, as `DaemonSession` over a relay. */
class DirectSession {
  readonly #socket: Socket;
  #buffer = "";
  #waiting: (() => void) | undefined;
  readonly #closed: Promise<number>;
  /** No relay process: no pid to sample. */
  readonly pid = -1;

  constructor(path: string) {
    this.#socket = connect(path);
    this.#socket.setEncoding("utf8").on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (let newline = this.#buffer.indexOf("\n"); newline !== -1; newline = this.#buffer.indexOf("\n")) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        const message = JSON.parse(line) as { action: string; sequenceNumber?: unknown; subSequenceNumber?: unknown };
        if (message.action === "checkpoint") {
          this.#socket.write(
            `{"action":"checkpoint","sequenceNumber":${JSON.stringify(message.sequenceNumber ?? null)},` +
              `"subSequenceNumber":${JSON.stringify(message.subSequenceNumber ?? null)},"error":null}\n`,
          );
        } else if (message.action === "status") {
          const waiting = this.#waiting;
          this.#waiting = undefined;
          waiting?.();
        }
      }
    });
    this.#closed = new Promise((resolve) => this.#socket.on("close", () => resolve(0)));
  }

  act(_action: string, line: Uint8Array | readonly Uint8Array[]): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      for (const piece of line instanceof Uint8Array ? [line] : line) this.#socket.write(piece);
    });
  }

  close(): Promise<number> {
    this.#socket.end();
    return this.#closed;
  }

  kill(): void {
    this.#socket.destroy();
  }
}

type Session = DaemonSession | DirectSession;

function openSession(path: string): Session {
  return values.relay === "none" ? new DirectSession(path) : new DaemonSession(relayCommand(path), root);
}

function relayCommand(path: string) {
  const buffer = values["socat-buffer"] === undefined ? [] : ["-b", values["socat-buffer"]];
  return values.relay === "nc"
    ? { command: "nc", args: ["-N", "-U", path] }
    : { command: "socat", args: [...buffer, "STDIO", `UNIX-CONNECT:${path}`] };
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function sumCpu(from: Map<number, ProcSample>, to: Map<number, ProcSample>, pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuBetween(from.get(pid), to.get(pid)!), 0);
}

/** How many sockets process `pid` has open. */
function countSockets(pid: number): number {
  const text = execFileSync("sh", ["-c", `ls -l /proc/${pid}/fd | grep -c socket: || true`], { encoding: "utf8" });
  return Number(text.trim());
}

function mainThreadCpu(from: Map<number, ProcSample>, to: Map<number, ProcSample>, pids: readonly number[]): number {
  return pids.reduce(
    (sum, pid) => sum + (to.get(pid)!.threadCpu.get(pid) ?? 0) - (from.get(pid)!.threadCpu.get(pid) ?? 0),
    0,
  );
}

function sumPss(samples: Map<number, ProcSample>, pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + samples.get(pid)!.pssBytes, 0);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** One W5-host row. */
interface HostRow {
  readonly kind: string;
  readonly shards: number;
  readonly processes: number;
  readonly relay: string;
  readonly hostCpuMsPerMib: number;
  readonly relayCpuMsPerMib: number;
  readonly hostCpuUsPerSmall: number;
  readonly relayCpuUsPerSmall: number;
  readonly pssIdleMib: number;
  readonly pssAfterLoadMib: number;
  readonly pssAfterIdleMib: number;
  readonly hostPssAfterLoadMib: number;
  readonly relayPssKib: number;
  readonly perShardKib: number;
  readonly shardsPer24GiB: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly count: number };
}

async function w5Host(runtimes: Runtimes, runtime: string, processes: number): Promise<HostRow> {
  const small = Number(values.small);
  const [dense] = createWorkloads({
    ...QUICK,
    w1Batches: 0,
    w2Actions: 0,
    w3Batches: 0,
    w4Spawns: 0,
    w5Children: shards,
    w5SmallBatches: small,
  }).filter((workload) => workload.id === "W5").map((workload) => workload.dense!);
  const load = dense!;
  const dir = await mkdtemp(join(tmpdir(), "kcl-bench-host-"));
  const path = join(dir, "kcl.sock");
  const hosts = await startHosts(runtimes, runtime, processes, path);
  const sessions: DaemonSession[] = [];
  try {
    for (let i = 0; i < shards; i++) sessions.push(new DaemonSession(relayCommand(path), root));
    await Promise.all(sessions.map((session) => session.act("initialize", INITIALIZE_LINE)));
    const relayPids = sessions.map((session) => session.pid);
    const all = [...hosts.pids, ...relayPids];
    const idle = sampleProcs(all);

    // Big batches two at a time; meanwhile the probe shards send small actions, paced, and time them.
    const probeCount = Math.min(Number(values.probes), Math.floor(shards / 2));
    const probes = sessions.slice(shards - probeCount);
    const busy = sessions.slice(0, shards - probeCount);
    const latencies: number[] = [];
    let bigDone = false;
    const probing = Promise.all(probes.map(async (session, index) => {
      let line = index % load.small.length;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      while (!bigDone) {
        const start = performance.now();
        await session.act("processRecords", load.small[line++ % load.small.length]!);
        latencies.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1000));
      }
    }));
    const beforeBig = sampleProcs(all);
    await inPool(busy, 2, (session) => session.act("processRecords", load.big));
    bigDone = true;
    await probing;
    const probeActions = latencies.length;
    await inPool(probes, 2, (session) => session.act("processRecords", load.big));
    const afterBig = sampleProcs(all);
    // CPU of the probes' small actions is in the big phase too: small against big payload, it is left in.
    const bigMib = (shards * load.bigPayloadBytes) / MIB;
    await inPool(sessions, 2, async (session) => {
      for (const line of load.small) await session.act("processRecords", line);
    });
    const afterLoad = sampleProcs(all);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const afterIdle = sampleProcs(all);
    await Promise.all(sessions.map((session) => session.act("leaseLost", LEASE_LOST_LINE)));
    const codes = await Promise.all(sessions.map((session) => session.close()));
    if (codes.some((code) => code !== 0)) throw new Error(`relay exit codes ${[...new Set(codes)].join(",")}`);
    const smallActions = shards * load.small.length;
    const sorted = latencies.sort((a, b) => a - b);
    const pssLoad = sumPss(afterLoad, all);
    const row: HostRow = {
      kind: `host/${runtime}`,
      shards,
      processes,
      relay: values.relay,
      hostCpuMsPerMib: sumCpu(beforeBig, afterBig, hosts.pids) / bigMib,
      relayCpuMsPerMib: sumCpu(beforeBig, afterBig, relayPids) / bigMib,
      hostCpuUsPerSmall: (sumCpu(afterBig, afterLoad, hosts.pids) * 1000) / smallActions,
      relayCpuUsPerSmall: (sumCpu(afterBig, afterLoad, relayPids) * 1000) / smallActions,
      pssIdleMib: sumPss(idle, all) / MIB,
      pssAfterLoadMib: pssLoad / MIB,
      pssAfterIdleMib: sumPss(afterIdle, all) / MIB,
      hostPssAfterLoadMib: sumPss(afterLoad, hosts.pids) / MIB,
      relayPssKib: sumPss(afterLoad, relayPids) / 1024 / shards,
      perShardKib: pssLoad / 1024 / shards,
      shardsPer24GiB: Math.floor((24 * 1024 * MIB) / (pssLoad / shards)),
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? NaN,
        count: probeActions,
      },
    };
    return row;
  } catch (error) {
    for (const session of sessions) session.kill();
    throw error;
  } finally {
    await hosts.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Busy shards: each sends `batches` 2 MB batches back to back; MiB per wall second and CPU per MiB. */
async function throughput(runtimes: Runtimes, runtime: string, processes: number) {
  const [dense] = createWorkloads({ ...QUICK, w1Batches: 0, w2Actions: 0, w3Batches: 0, w4Spawns: 0 })
    .filter((workload) => workload.id === "W5").map((workload) => workload.dense!);
  // A tenth of the 20 MB batch: 1,000 records of 1,500 B.
  const text = new TextDecoder().decode(dense!.big);
  const cut = text.indexOf(',{"data"', Math.floor(text.length / 10));
  const line = new TextEncoder().encode(text.slice(0, cut) + '],"millisBehindLatest":0}\n');
  const payloadMib = (line.length * 0.75 * (1500 / 1618)) / MIB; // decoded bytes, near enough (reported raw too)
  // `--write-chunk 8192`: the line written in pieces, as the Java daemon's 8 KiB buffered stream writes it.
  const chunk = values["write-chunk"] === undefined ? undefined : Number(values["write-chunk"]);
  const pieces = chunk === undefined
    ? line
    : Array.from({ length: Math.ceil(line.length / chunk) }, (_, i) => line.subarray(i * chunk, (i + 1) * chunk));
  const batches = Number(values.batches);
  return await withBurst(runtimes, runtime, processes, async (hosts, sessions, sessionsPerProcess) => {
    const relayPids = sessions.map((session) => session.pid).filter((pid) => pid > 0);
    const all = [...hosts.pids, ...relayPids, process.pid];
    const loadBefore = await loadAverage(root);
    const before = sampleProcs(all);
    const start = performance.now();
    await Promise.all(sessions.map(async (session) => {
      for (let b = 0; b < batches; b++) await session.act("processRecords", pieces);
    }));
    const seconds = (performance.now() - start) / 1000;
    const after = sampleProcs(all);
    const loadAfter = await loadAverage(root);
    const mib = shards * batches * payloadMib;
    return {
      kind: `host/${runtime}`,
      processes,
      relay: values.relay,
      shards,
      batches,
      lineBytes: line.length,
      seconds,
      mibPerSecond: mib / seconds,
      hostCpuMsPerMib: sumCpu(before, after, hosts.pids) / mib,
      // The host's main threads (JavaScript, parsing) apart from its other threads (collector helpers, JIT, I/O).
      hostMainCpuMsPerMib: mainThreadCpu(before, after, hosts.pids) / mib,
      relayCpuMsPerMib: sumCpu(before, after, relayPids) / mib,
      // The bench itself: the daemon's side, writing every line into the relays (or the socket).
      driverCpuMsPerMib: sumCpu(before, after, [process.pid]) / mib,
      sessionsPerProcess,
      relayPssKib: relayPids.length === 0 ? 0 : sumPss(after, relayPids) / 1024 / relayPids.length,
      gc: values.gc,
      v8Flags: values["v8-flags"] ?? null,
      writeChunk: chunk ?? null,
      work: Number(values.work),
      socatBuffer: values["socat-buffer"] ?? null,
      // Share of the machine's cores busy with these processes during the run.
      coresUsed: (sumCpu(before, after, all) / 1000) / seconds,
      load: { before: loadBefore, after: loadAfter },
    };
  });
}

/**
 * Starts `processes` hosts in a fresh folder, opens `shards` sessions at once (as the daemon starts its leases) and
 * initializes them; runs `task` with them and how they spread over the processes, then ends every session.
 */
async function withBurst<T>(
  runtimes: Runtimes,
  runtime: string,
  processes: number,
  task: (hosts: Hosts, sessions: readonly Session[], sessionsPerProcess: number[]) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "kcl-bench-host-"));
  const path = join(dir, "kcl.sock");
  const hosts = await startHosts(runtimes, runtime, processes, path);
  const sessions: Session[] = [];
  try {
    const socketsBefore = hosts.pids.map(countSockets);
    for (let i = 0; i < shards; i++) sessions.push(openSession(path));
    await Promise.all(sessions.map((session) => session.act("initialize", INITIALIZE_LINE)));
    // How the kernel spread the connections over the processes.
    const result = await task(hosts, sessions, hosts.pids.map((pid, i) => countSockets(pid) - socketsBefore[i]!));
    await Promise.all(sessions.map((session) => session.act("leaseLost", LEASE_LOST_LINE)));
    await Promise.all(sessions.map((session) => session.close()));
    return result;
  } catch (error) {
    for (const session of sessions) session.kill();
    throw error;
  } finally {
    await hosts.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sessions per process after bursts of `shards` relays, `--spread` times: each trial with hosts started afresh. */
async function spread(runtimes: Runtimes, runtime: string, processes: number) {
  const trials: number[][] = [];
  for (let trial = 0; trial < Number(values.spread); trial++) {
    trials.push(
      await withBurst(runtimes, runtime, processes, (_, __, sessionsPerProcess) => {
        return Promise.resolve(sessionsPerProcess);
      }),
    );
  }
  // The busiest process's share of the sessions, trial by trial, sorted.
  const busiest = trials.map((counts) => Math.max(...counts) / counts.reduce((a, b) => a + b, 0)).sort();
  return {
    kind: `host/${runtime}`,
    processes,
    shards,
    balance: values.balance,
    trials,
    busiestShare: { min: busiest[0], median: busiest[Math.floor(busiest.length / 2)], max: busiest.at(-1) },
    load: await loadAverage(root),
  };
}

const runtimes = await prepareRuntimes(root, log);
const machine = await describeMachine(root);
const loadBefore = await loadAverage(root);
const rows: unknown[] = [];
for (const runtime of runtimesWanted) {
  for (const processes of processCounts) {
    log(`${mode}: ${runtime}, ${processes} process(es), ${shards} shards…`);
    const row = mode === "spread"
      ? await spread(runtimes, runtime, processes)
      : mode === "throughput"
      ? await throughput(runtimes, runtime, processes)
      : await w5Host(runtimes, runtime, processes);
    log(JSON.stringify(row));
    rows.push(row);
  }
}
const result = {
  date: new Date().toISOString(),
  machine,
  versions: runtimes.versions,
  load: { before: loadBefore, after: await loadAverage(root) },
  mode,
  rows,
};
if (values.out !== undefined) await writeFile(values.out, JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
