/**
 * Runs one child through one workload and measures it.
 *
 * @module
 */

import type { Child } from "./children.ts";
import { DaemonSession } from "./daemon_session.ts";
import { INITIALIZE_LINE, LEASE_LOST_LINE, type Workload } from "./workloads.ts";

/** One timed session of a throughput workload (W1-W3). */
export interface ThroughputSample {
  /** From the first `processRecords` written to the last status read. */
  readonly seconds: number;
  /** `VmHWM` just after the last status, in bytes. */
  readonly peakRssBytes: number;
  /** CPU time the child spent over the same span, in seconds. */
  readonly cpuSeconds: number;
}

/** One child's start-up (W4). */
export interface StartupSample {
  /** From spawn to the `leaseLost` status. */
  readonly ms: number;
  readonly peakRssBytes: number;
  /** CPU time the child used up to its `leaseLost` status, in milliseconds. */
  readonly cpuMs: number;
}

/** Plays a whole shard life with the workload's batches. */
export async function measureThroughput(child: Child, workload: Workload, cwd: string): Promise<ThroughputSample> {
  const session = new DaemonSession(child.command(workload.everyRecord), cwd);
  try {
    await session.act("initialize", INITIALIZE_LINE);
    const cpuBefore = session.cpuSeconds();
    const start = performance.now();
    for (const batch of workload.batches) await session.act("processRecords", batch);
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = session.cpuSeconds() - cpuBefore;
    const peakRssBytes = session.peakRss();
    const expected = workload.everyRecord ? workload.records : workload.batches.length;
    if (session.checkpoints !== expected) {
      throw new Error(`${child.id} sent ${session.checkpoints} checkpoints on ${workload.id}, expected ${expected}`);
    }
    await session.act("leaseLost", LEASE_LOST_LINE);
    const code = await session.close();
    if (code !== 0) throw new Error(`${child.id} exited with ${code} after ${workload.id}\n${session.stderr}`);
    return { seconds, peakRssBytes, cpuSeconds };
  } catch (error) {
    session.kill();
    throw new Error(`Cannot measure ${child.id} on ${workload.id}: ${(error as Error).message}\n${session.stderr}`, {
      cause: error,
    });
  }
}

/** One child's life for W4: spawn, `initialize`, `leaseLost`, close stdin, exit. */
export async function measureStartup(child: Child, cwd: string): Promise<StartupSample> {
  const start = performance.now();
  const session = new DaemonSession(child.command(false), cwd);
  try {
    await session.act("initialize", INITIALIZE_LINE);
    await session.act("leaseLost", LEASE_LOST_LINE);
    const ms = performance.now() - start;
    const cpuMs = session.cpuSeconds() * 1000;
    const peakRssBytes = session.peakRss();
    const code = await session.close();
    if (code !== 0) throw new Error(`exit ${code}`);
    return { ms, peakRssBytes, cpuMs };
  } catch (error) {
    session.kill();
    throw new Error(`Cannot measure start-up of ${child.id}: ${(error as Error).message}\n${session.stderr}`, {
      cause: error,
    });
  }
}
