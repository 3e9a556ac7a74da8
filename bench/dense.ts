/**
 * W5, a dense host: many children of one kind alive at once, each playing
 * the same shard life through the bench daemon, measured from `/proc`.
 *
 * Each child: spawn, `initialize` (start-up CPU and idle memory are read
 * here, all children alive), one big `processRecords`, then the small
 * batches (each awaiting its status before the next), `leaseLost`, exit.
 * The big batch and the small ones go to two children at a time (one per
 * core of the bench machine: a host's shards are rarely all busy at once,
 * and CPU per action measured under heavier contention counts mostly
 * wake-ups); each child's CPU and memory are read right after its own
 * phase, before a runtime's idle-time collection can run (Bun's does, and
 * V8's memory reducer after some seconds), and memory once more after
 * every child sat idle. Every child decodes every record's payload and
 * checkpoints the last record of each batch.
 *
 * @module
 */

import type { Child } from "./children.ts";
import { DaemonSession } from "./daemon_session.ts";
import { cpuBetween, type ProcSample, sampleProcs } from "./proc.ts";
import { INITIALIZE_LINE, LEASE_LOST_LINE, type Workload } from "./workloads.ts";

/** Children busy at once (one per core of the bench machine). */
const BUSY_AT_ONCE = 2;

/** One child's figures in W5. */
export interface DenseSample {
  /** CPU from exec to the `initialize` status. */
  readonly startupCpuMs: number;
  /** CPU spent on the big batch. */
  readonly bigCpuMs: number;
  /** CPU spent on the small batches. */
  readonly smallCpuMs: number;
  /** After `initialize`. */
  readonly idle: ProcSample;
  /** Right after its big batch. */
  readonly afterBig: ProcSample;
  /** Right after its small batches too: what the child keeps under a steady trickle. */
  readonly afterLoad: ProcSample;
  /** After every child sat idle a few seconds more. */
  readonly afterIdle: ProcSample;
}

/** Runs `workload.dense.children` copies of `child` at once through W5. */
export async function measureDense(
  child: Child,
  workload: Workload,
  cwd: string,
  idleMs: number,
): Promise<DenseSample[]> {
  const load = workload.dense;
  if (load === undefined) throw new Error(`Cannot run ${workload.id} as a dense host: it has no dense load`);
  const sessions: DaemonSession[] = [];
  try {
    for (let i = 0; i < load.children; i++) sessions.push(new DaemonSession(child.command(false), cwd));
    await Promise.all(sessions.map((session) => session.act("initialize", INITIALIZE_LINE)));
    const pids = sessions.map((session) => session.pid);
    const idle = sampleProcs(pids);
    const afterBig = new Map<number, ProcSample>();
    const afterLoad = new Map<number, ProcSample>();
    await inPool(sessions, BUSY_AT_ONCE, async (session) => {
      await session.act("processRecords", load.big);
      afterBig.set(session.pid, sampleProcs([session.pid]).get(session.pid)!);
    });
    await inPool(sessions, BUSY_AT_ONCE, async (session) => {
      for (const line of load.small) await session.act("processRecords", line);
      afterLoad.set(session.pid, sampleProcs([session.pid]).get(session.pid)!);
    });
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const afterIdle = sampleProcs(pids);
    const expected = 1 + load.small.length;
    for (const session of sessions) {
      if (session.checkpoints !== expected) {
        throw new Error(`child ${session.pid} sent ${session.checkpoints} checkpoints, expected ${expected}`);
      }
    }
    await Promise.all(sessions.map((session) => session.act("leaseLost", LEASE_LOST_LINE)));
    const codes = await Promise.all(sessions.map((session) => session.close()));
    const failed = codes.findIndex((code) => code !== 0);
    if (failed !== -1) throw new Error(`a child exited with ${codes[failed]}\n${sessions[failed]!.stderr}`);
    return pids.map((pid) => {
      const [start, big, end, rest] = [idle.get(pid)!, afterBig.get(pid)!, afterLoad.get(pid)!, afterIdle.get(pid)!];
      return {
        startupCpuMs: cpuBetween(undefined, start),
        bigCpuMs: cpuBetween(start, big),
        smallCpuMs: cpuBetween(big, end),
        idle: start,
        afterBig: big,
        afterLoad: end,
        afterIdle: rest,
      };
    });
  } catch (error) {
    for (const session of sessions) session.kill();
    const stderr = sessions.find((session) => session.stderr !== "")?.stderr ?? "";
    throw new Error(`Cannot measure ${child.id} on ${workload.id}: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
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
