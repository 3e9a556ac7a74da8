/**
 * W5, a dense host: many children of one kind alive at once, each playing
 * the same shard life through the bench daemon, measured from `/proc`.
 *
 * Each child: spawn, `initialize` (start-up CPU and idle memory are read
 * here), one big `processRecords` (two children at a time, as a 2-core host
 * would take them; memory is read after every child had its big batch),
 * then the small batches (all children at once, each awaiting its status
 * before the next), memory and CPU read again; memory read once more after
 * the children sat idle (a runtime may collect garbage when idle: Bun
 * does, Node does not), `leaseLost`, exit. Every
 * child decodes every record's payload and checkpoints the last record of
 * each batch.
 *
 * @module
 */

import type { Child } from "./children.ts";
import { DaemonSession } from "./daemon_session.ts";
import { cpuBetween, type ProcSample, sampleProcs } from "./proc.ts";
import { INITIALIZE_LINE, LEASE_LOST_LINE, type Workload } from "./workloads.ts";

/** Big batches in flight at once (one per core of the bench machine). */
const BIG_AT_ONCE = 2;

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
  /** After every child had its big batch. */
  readonly afterBig: ProcSample;
  /** After the small batches too: what the child keeps under a steady trickle. */
  readonly afterLoad: ProcSample;
  /** After sitting idle a few seconds more. */
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
    await inPool(sessions, BIG_AT_ONCE, (session) => session.act("processRecords", load.big));
    const afterBig = sampleProcs(pids);
    await Promise.all(sessions.map(async (session) => {
      for (const line of load.small) await session.act("processRecords", line);
    }));
    const afterLoad = sampleProcs(pids);
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
