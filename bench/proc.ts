/**
 * What `/proc` says about many children at once: CPU time of the whole
 * process (every thread), resident and proportional set size
 * (`/proc/<pid>/smaps_rollup`) and peak RSS (`VmHWM`). Read through one
 * `grep` per call: Deno grants `/proc` reads only with `--allow-all`, the
 * bench task has `--allow-run`.
 *
 * CPU time comes two ways, each a lower bound of the truth: utime + stime
 * from `/proc/<pid>/stat` counts threads that already exited but in clock
 * ticks of 10 ms, each truncated (up to 20 ms low: a Bun child's whole
 * start-up reads 0); the sum of `/proc/<pid>/task/<tid>/schedstat` is exact
 * to the nanosecond but misses threads that exited. {@linkcode cpuBetween}
 * uses the exact sum when no thread exited in between and the ticks agree.
 *
 * @module
 */

import { execFileSync } from "node:child_process";

/** One child's counters at one moment. */
export interface ProcSample {
  /** utime + stime in milliseconds, every thread ever (truncated to 10 ms ticks). */
  readonly tickCpuMs: number;
  /** utime alone (user time), in 10 ms ticks as milliseconds. */
  readonly userMs: number;
  /** stime alone (system time: syscalls, page faults), in 10 ms ticks as milliseconds. */
  readonly systemMs: number;
  /** Minor page faults so far (first touch of fresh memory). */
  readonly minorFaults: number;
  /** CPU of the live threads, in milliseconds (exact). */
  readonly threadCpuMs: number;
  /** The live threads' ids. */
  readonly threads: readonly number[];
  /** Each live thread's CPU in milliseconds (exact), by thread id: the main thread's id is the pid. */
  readonly threadCpu: ReadonlyMap<number, number>;
  readonly rssBytes: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  readonly pssBytes: number;
  /** Peak resident set so far. */
  readonly peakRssBytes: number;
}

/** Linux's USER_HZ on every architecture this runs on (`getconf CLK_TCK`). */
const TICK_MS = 10;

interface Fields {
  stat?: string;
  rss?: number;
  pss?: number;
  hwm?: number;
  threads: Map<number, number>;
}

/** Samples every pid in one read; throws when a child is gone. */
export function sampleProcs(pids: readonly number[]): Map<number, ProcSample> {
  const files = pids.flatMap((pid) => [
    `/proc/${pid}/stat`,
    `/proc/${pid}/smaps_rollup`,
    `/proc/${pid}/status`,
    `/proc/${pid}/task/*/schedstat`,
  ]);
  // A shell for the globs; `|| true`: grep exits 2 when a thread vanished between the glob and the read.
  const text = execFileSync("sh", ["-c", `grep -H '' ${files.join(" ")} 2>/dev/null || true`], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const fields = new Map<number, Fields>();
  for (const line of text.split("\n")) {
    const match = /^\/proc\/(\d+)\/(?:task\/(\d+)\/)?(stat|smaps_rollup|status|schedstat):(.*)$/.exec(line);
    if (match === null) continue;
    const [, pidText, tid, file, rest] = match as unknown as [string, string, string | undefined, string, string];
    const pid = Number(pidText);
    const entry: Fields = fields.get(pid) ?? { threads: new Map() };
    fields.set(pid, entry);
    if (file === "schedstat" && tid !== undefined) entry.threads.set(Number(tid), Number(rest.split(" ")[0]) / 1e6);
    else if (file === "stat") entry.stat = rest;
    else if (file === "smaps_rollup") {
      const kib = /^(Rss|Pss):\s+(\d+) kB$/.exec(rest);
      if (kib?.[1] === "Rss") entry.rss = Number(kib[2]) * 1024;
      if (kib?.[1] === "Pss") entry.pss = Number(kib[2]) * 1024;
    } else if (file === "status") {
      const kib = /^VmHWM:\s+(\d+) kB$/.exec(rest);
      if (kib !== null) entry.hwm = Number(kib[1]) * 1024;
    }
  }
  const samples = new Map<number, ProcSample>();
  for (const pid of pids) {
    const entry = fields.get(pid);
    if (entry?.stat === undefined || entry.rss === undefined || entry.pss === undefined || entry.hwm === undefined) {
      throw new Error(`Cannot read /proc of child ${pid}: it is gone or the kernel hides smaps_rollup`);
    }
    // Fields after the command name (which may hold spaces): state is field 3, minflt 10, utime 14, stime 15.
    const after = entry.stat.slice(entry.stat.lastIndexOf(")") + 2).split(" ");
    samples.set(pid, {
      tickCpuMs: (Number(after[11]) + Number(after[12])) * TICK_MS,
      userMs: Number(after[11]) * TICK_MS,
      systemMs: Number(after[12]) * TICK_MS,
      minorFaults: Number(after[7]),
      threadCpuMs: [...entry.threads.values()].reduce((a, b) => a + b, 0),
      threads: [...entry.threads.keys()],
      threadCpu: entry.threads,
      rssBytes: entry.rss,
      pssBytes: entry.pss,
      peakRssBytes: entry.hwm,
    });
  }
  return samples;
}

/**
 * CPU spent between two samples of one child (`from` undefined: since it
 * started): exact when every thread of `from` is still alive in `to`, else
 * from the ticks.
 */
export function cpuBetween(from: ProcSample | undefined, to: ProcSample): number {
  if (from === undefined) {
    // No thread can have exited unseen when the ticks agree with the live threads to within their truncation.
    return to.tickCpuMs > to.threadCpuMs + 2 * TICK_MS ? to.tickCpuMs : to.threadCpuMs;
  }
  const alive = new Set(to.threads);
  const exact = to.threadCpuMs - from.threadCpuMs;
  const ticks = to.tickCpuMs - from.tickCpuMs;
  // A thread born and gone between the samples shows only in the ticks.
  return from.threads.every((tid) => alive.has(tid)) && ticks <= exact + 2 * TICK_MS ? exact : ticks;
}
