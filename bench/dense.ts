/**
 * W5, a dense host: many children alive at once, each playing the same
 * shard life through the bench daemon, measured from `/proc`.
 *
 * Each child: spawn, `initialize` (start-up CPU and idle memory are read
 * here, all children of the round alive), one big `processRecords`, then
 * the small batches (each awaiting its status before the next),
 * `leaseLost`, exit. Each child takes its big batch and its small ones back
 * to back, two children at a time (one per core of the bench machine: a
 * host's shards are rarely all busy at once, and CPU per action measured
 * under heavier contention counts mostly wake-ups); its CPU and memory are
 * read right after the big batch, after the first {@linkcode FIRST_SMALL}
 * small actions (where the one collection that gives a big batch's memory
 * back runs, and caches are still cold from the big batch), and after the
 * rest — back to back, so that every child is measured the same way
 * whatever its place in the queue (the earlier W5 ran every big batch
 * first, so early children sat idle for seconds before their small ones).
 * Memory is read once more after every child of the round sat idle at
 * least `idleMs` (a quiet shard). Children of every kind take turns within
 * a round, and rounds repeat until each kind has its count: load from other
 * jobs hits every kind alike. Every child decodes every record's payload
 * and checkpoints the last record of each batch.
 *
 * @module
 */

import type { Child } from "./children.ts";
import { DaemonSession } from "./daemon_session.ts";
import { cpuBetween, type ProcSample, sampleProcs } from "./proc.ts";
import { INITIALIZE_LINE, LEASE_LOST_LINE, type Workload } from "./workloads.ts";

/** Children busy at once (one per core of the bench machine). */
const BUSY_AT_ONCE = 2;
/** Small actions counted apart right after the big batch (cold caches, the one collection). */
export const FIRST_SMALL = 20;

/** One child's figures in W5. */
export interface DenseSample {
  /** CPU from exec to the `initialize` status. */
  readonly startupCpuMs: number;
  /** CPU spent on the big batch. */
  readonly bigCpuMs: number;
  /** CPU spent on the small batches after the first {@linkcode FIRST_SMALL}. */
  readonly smallCpuMs: number;
  /** CPU spent on the first {@linkcode FIRST_SMALL} small batches. */
  readonly firstSmallCpuMs: number;
  /** After `initialize`. */
  readonly idle: ProcSample;
  /** Right after its big batch. */
  readonly afterBig: ProcSample;
  /** Right after the first {@linkcode FIRST_SMALL} small batches. */
  readonly afterFirst: ProcSample;
  /** Milliseconds from the first child's big batch to this child's big batch's status and to its last status. */
  readonly bigEndMs: number;
  readonly loadEndMs: number;
  /** Right after its small batches too: what the child keeps under a steady trickle. */
  readonly afterLoad: ProcSample;
  /** After every child sat idle a few seconds more. */
  readonly afterIdle: ProcSample;
}

/**
 * Runs `workload.dense.children` copies of each of `kinds` through W5, in
 * rounds of at most `perRound` children of every kind alive at once, the
 * kinds' children taking turns: a change of load on the shared machine
 * (other jobs come and go within minutes) hits every kind alike, so the
 * ratios between kinds measured in one run hold.
 */
export async function measureDense(
  kinds: readonly Child[],
  workload: Workload,
  cwd: string,
  idleMs: number,
  perRound: number,
  log: (line: string) => void = () => {},
): Promise<Map<Child, DenseSample[]>> {
  const load = workload.dense;
  if (load === undefined) throw new Error(`Cannot run ${workload.id} as a dense host: it has no dense load`);
  const results = new Map<Child, DenseSample[]>(kinds.map((kind) => [kind, []]));
  const rounds = Math.ceil(load.children / perRound);
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const count = Math.min(perRound, load.children - round * perRound);
    // Children of every kind, taking turns: kind 1, kind 2, …, kind 1, kind 2, …
    const order: Child[] = [];
    for (let i = 0; i < count; i++) order.push(...kinds);
    const samples = await runRound(order, load, cwd, idleMs, started);
    samples.forEach((sample, i) => results.get(order[i]!)!.push(sample));
    log(`W5 round ${round + 1}/${rounds}: ${order.length} children`);
  }
  return results;
}

async function runRound(
  order: readonly Child[],
  load: NonNullable<Workload["dense"]>,
  cwd: string,
  idleMs: number,
  started: number,
): Promise<DenseSample[]> {
  const sessions: DaemonSession[] = [];
  try {
    for (const child of order) sessions.push(new DaemonSession(child.command(false), cwd));
    await Promise.all(sessions.map((session) => session.act("initialize", INITIALIZE_LINE)));
    const pids = sessions.map((session) => session.pid);
    const idle = sampleProcs(pids);
    const afterBig = new Map<number, ProcSample>();
    const afterFirst = new Map<number, ProcSample>();
    const afterLoad = new Map<number, ProcSample>();
    const times = new Map<number, [number, number]>();
    const sample = (session: DaemonSession) => sampleProcs([session.pid]).get(session.pid)!;
    await inPool(sessions, BUSY_AT_ONCE, async (session) => {
      await session.act("processRecords", load.big);
      afterBig.set(session.pid, sample(session));
      const bigEnd = performance.now() - started;
      for (const [i, line] of load.small.entries()) {
        await session.act("processRecords", line);
        if (i === FIRST_SMALL - 1) afterFirst.set(session.pid, sample(session));
      }
      afterLoad.set(session.pid, sample(session));
      times.set(session.pid, [bigEnd, performance.now() - started]);
    });
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const afterIdle = sampleProcs(pids);
    const expected = 1 + load.small.length;
    for (const [i, session] of sessions.entries()) {
      if (session.checkpoints !== expected) {
        throw new Error(`${order[i]!.id} ${session.pid} sent ${session.checkpoints} checkpoints, expected ${expected}`);
      }
    }
    await Promise.all(sessions.map((session) => session.act("leaseLost", LEASE_LOST_LINE)));
    const codes = await Promise.all(sessions.map((session) => session.close()));
    const failed = codes.findIndex((code) => code !== 0);
    if (failed !== -1) {
      throw new Error(`${order[failed]!.id} exited with ${codes[failed]}\n${sessions[failed]!.stderr}`);
    }
    return pids.map((pid) => {
      const [start, big, end, rest] = [idle.get(pid)!, afterBig.get(pid)!, afterLoad.get(pid)!, afterIdle.get(pid)!];
      const first = afterFirst.get(pid)!;
      const [bigEndMs, loadEndMs] = times.get(pid)!;
      return {
        startupCpuMs: cpuBetween(undefined, start),
        bigCpuMs: cpuBetween(start, big),
        firstSmallCpuMs: cpuBetween(big, first),
        smallCpuMs: cpuBetween(first, end),
        idle: start,
        afterBig: big,
        afterFirst: first,
        afterLoad: end,
        afterIdle: rest,
        bigEndMs,
        loadEndMs,
      };
    });
  } catch (error) {
    for (const session of sessions) session.kill();
    const stderr = sessions.find((session) => session.stderr !== "")?.stderr ?? "";
    throw new Error(`Cannot measure W5: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
