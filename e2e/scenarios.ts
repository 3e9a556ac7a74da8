/**
 * The end-to-end scenarios (issue 17): each starts its own stack, runs the real daemon over the scratch project's
 * consumer, and asserts on what the emulators hold: the records put (read back from kinesis-local), the lease table's
 * checkpoints (dynalite), what the consumer printed per record, and the batch example's files.
 *
 * @module
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type DaemonRun, type Delivery, processesIn, startDaemon } from "./daemon.ts";
import { putEvents, readStream, type StoredRecord } from "./producer.ts";
import { MergeShardsCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import {
  type Lease,
  listShards,
  localProperties,
  localSetup,
  readLeases,
  type Stack,
  startStack,
  TEST_ENV,
  waitForStream,
} from "./stack.ts";
import { executableFor, hostCommandFor, type Project } from "./project.ts";

/** What a scenario reports (printed, and a row of e2e/RESULTS.md). */
export interface Outcome {
  firstProcessRecordsMs: (number | undefined)[];
  notes: string[];
}

export interface Context {
  project: Project;
  runtime: string;
  release: string;
  /** `clientVersionConfig` for 3.x, or undefined for the release's default. */
  mode: string | undefined;
  workDir: string;
  path: string;
  id: string;
  /**
   * Run the consumer as a shard host (issue 19): each daemon run's `executableName` is a socat relay to a socket of
   * its own, and its launcher starts the README's consumer as a host there (`kcl-launcher --host`).
   */
  host?: boolean;
}

const LIMIT_MS = 300_000;

export class ScenarioFailure extends Error {}

function fail(message: string): never {
  throw new ScenarioFailure(message);
}

/** Test properties on top of examples/local.properties: small batches, short pauses and a short failover. */
function testExtras(extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    maxRecords: 200,
    idleTimeBetweenReadsInMillis: 250,
    parentShardPollIntervalMillis: 500,
    failoverTimeMillis: 6000,
    ...extra,
  };
}

/** One stack + stream + lease table + properties file for a scenario. */
class Setup {
  readonly stack: Stack;
  readonly ctx: Context;
  readonly app: string;
  readonly stream: string;
  readonly runs: DaemonRun[] = [];
  propertiesFile = "";
  env: Record<string, string> = {};
  /** The properties file's text for an `executableName`. */
  propertiesWith: (executableName: string) => string = () => "";

  constructor(stack: Stack, ctx: Context, name: string) {
    this.stack = stack;
    this.ctx = ctx;
    this.app = `e2e-${name}-${ctx.id}`;
    this.stream = `stream-${name}-${ctx.id}`;
  }

  static async create(ctx: Context, name: string, options: {
    shards: number;
    file: string;
    extra?: Record<string, string | number>;
    env?: Record<string, string>;
  }): Promise<Setup> {
    const stack = await startStack();
    const setup = new Setup(stack, ctx, name);
    try {
      // The README's local_setup.mjs: the stream, and the lease table with the index KCL 3.x would add by UpdateTable.
      await localSetup(stack, { stream: setup.stream, shards: options.shards, app: setup.app });
      setup.propertiesFile = `${setup.app}.properties`;
      setup.propertiesWith = (executableName) =>
        localProperties(stack, {
          executableName,
          applicationName: setup.app,
          streamName: setup.stream,
          ...(ctx.mode === undefined ? {} : { clientVersionConfig: ctx.mode }),
          extra: testExtras(options.extra),
        });
      if (!ctx.host) {
        writeFileSync(
          join(ctx.project.dir, setup.propertiesFile),
          setup.propertiesWith(executableFor(ctx.runtime, options.file)),
        );
      }
      setup.env = {
        ...Object.fromEntries(
          Object.entries(process.env).filter(([, v]) => v !== undefined),
        ) as Record<
          string,
          string
        >,
        ...TEST_ENV,
        PATH: ctx.path,
        ...options.env,
      };
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return setup;
  }

  start(env: Record<string, string> = {}): DaemonRun {
    let properties = this.propertiesFile;
    let host: string | undefined;
    if (this.ctx.host) {
      // Each run (each worker of scenario e) its own socket in a private folder, its relay and its host.
      const n = this.runs.length + 1;
      const dir = join(this.ctx.workDir, `h${this.ctx.id}-${n}`);
      mkdirSync(dir, { mode: 0o700 });
      const socket = join(dir, "kcl.sock");
      properties = `${this.app}-run${n}.properties`;
      writeFileSync(
        join(this.ctx.project.dir, properties),
        this.propertiesWith(`socat -b 65536 STDIO UNIX-CONNECT:${socket}`),
      );
      host = hostCommandFor(this.ctx.runtime, socket);
    }
    const run = startDaemon({
      projectDir: this.ctx.project.dir,
      properties,
      ...(host === undefined ? {} : { host }),
      release: this.ctx.release,
      env: { ...this.env, ...env },
      logFile: join(
        this.ctx.workDir,
        `${this.app}-run${this.runs.length + 1}.log`,
      ),
      workDir: this.ctx.workDir,
    });
    this.runs.push(run);
    return run;
  }

  leases(): Promise<Lease[]> {
    return readLeases(this.stack, this.app);
  }

  /** Waits until `check` returns true, polling the emulators; fails on a limit or when the daemon exits. */
  async waitFor(
    what: string,
    check: () => Promise<boolean>,
    run: DaemonRun,
    limitMs = LIMIT_MS,
  ): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!(await check())) {
      if (run.exited) {
        fail(
          `The daemon exited (${run.child.exitCode ?? run.child.signalCode}) while waiting for ${what}`,
        );
      }
      if (Date.now() > deadline) {
        fail(`Timed out after ${limitMs / 1000} s waiting for ${what}`);
      }
      await sleep(250);
    }
  }

  /** What a failure report shows: the daemon's log tail, the emulators' state and the consumer's stderr. */
  async diagnostics(): Promise<string> {
    const parts: string[] = [];
    for (const [i, run] of this.runs.entries()) {
      parts.push(
        `--- daemon run ${i + 1} log tail (${run.logFile}) ---\n${run.tail(50)}`,
      );
      parts.push(
        `--- consumer stderr relayed by run ${i + 1} (last 20 lines) ---\n${run.relayed.slice(-20).join("\n")}`,
      );
    }
    try {
      const leases = await this.leases();
      parts.push(
        `--- lease table ${this.app} ---\n` +
          leases.map((l) => `${l.leaseKey} owner=${l.leaseOwner} checkpoint=${l.checkpoint} counter=${l.leaseCounter}`)
            .join("\n"),
      );
      const records = await readStream(this.stack, this.stream);
      const byShard = new Map<string, number>();
      for (const r of records) {
        byShard.set(r.shardId, (byShard.get(r.shardId) ?? 0) + 1);
      }
      parts.push(
        `--- stream ${this.stream}: ${records.length} records ---\n${JSON.stringify(Object.fromEntries(byShard))}`,
      );
    } catch (error) {
      parts.push(`(cannot read the emulators: ${error})`);
    }
    for (const emulator of this.stack.emulators) {
      parts.push(`--- ${emulator.name} ---\n${emulator.tail(15)}`);
    }
    return parts.join("\n");
  }

  async close(): Promise<void> {
    for (const run of this.runs) run.killAll();
    await Promise.all(this.runs.map((run) => run.exit()));
    await this.stack.stop();
  }
}

/** Records of the stream per shard, in order. */
function byShard(records: StoredRecord[]): Map<string, StoredRecord[]> {
  const map = new Map<string, StoredRecord[]>();
  for (const record of records) {
    if (!map.has(record.shardId)) map.set(record.shardId, []);
    map.get(record.shardId)!.push(record);
  }
  return map;
}

const seq = (s: string): bigint => BigInt(s);

/** True when every shard's lease checkpoint is its last record. */
async function allCheckpointed(
  setup: Setup,
  expectedCount: number,
): Promise<boolean> {
  const records = await readStream(setup.stack, setup.stream);
  if (records.length < expectedCount) return false;
  const leases = await setup.leases();
  const shards = byShard(records);
  for (const [shardId, list] of shards) {
    const lease = leases.find((l) => l.leaseKey === shardId);
    if (lease?.checkpoint !== list.at(-1)!.sequenceNumber) return false;
  }
  return true;
}

/** Every record put is in the emulator, once, with the payload put; returns them. */
async function assertStreamHolds(
  setup: Setup,
  count: number,
): Promise<StoredRecord[]> {
  const records = await readStream(setup.stack, setup.stream);
  if (records.length !== count) {
    fail(`The stream holds ${records.length} records, ${count} were put`);
  }
  const ns = new Set<number>();
  for (const record of records) {
    const event = JSON.parse(record.data) as { n: number; key: string };
    if (event.key !== record.partitionKey) {
      fail(
        `Record ${record.sequenceNumber}: payload key ${event.key} != ${record.partitionKey}`,
      );
    }
    ns.add(event.n);
  }
  if (ns.size !== count) {
    fail(`The stream holds ${ns.size} distinct events, ${count} were put`);
  }
  return records;
}

/**
 * The records a SIGKILLed daemon's consumer processed whose lines died with that daemon: per shard, those after the
 * last line the daemon relayed, up to the checkpoint the consumer made (it checkpoints only what it has printed). The
 * daemon drains a child's stderr on a thread of its own, so its log can trail the checkpoint it has already written.
 */
function cutByKill(
  records: StoredRecord[],
  killed: { deliveries: Delivery[] },
  left: Map<string, string>,
): Set<string> {
  const cut = new Set<string>();
  for (const [shardId, list] of byShard(records)) {
    const checkpoint = left.get(shardId);
    if (checkpoint === undefined || !/^\d+$/.test(checkpoint)) continue;
    const last = killed.deliveries.findLast((d) => d.shardId === shardId)?.sequenceNumber;
    for (const record of list) {
      if (seq(record.sequenceNumber) > seq(checkpoint)) break;
      if (last === undefined || seq(record.sequenceNumber) > seq(last)) cut.add(record.sequenceNumber);
    }
  }
  return cut;
}

/**
 * Every record was reported by the consumer with its partition key and its payload's event type, except those `cut`
 * (see cutByKill), which a checkpoint proves processed.
 */
function assertDelivered(
  records: StoredRecord[],
  deliveries: Delivery[],
  cut: Set<string> = new Set(),
): void {
  const seen = new Map<string, Delivery>();
  for (const delivery of deliveries) {
    seen.set(delivery.sequenceNumber, delivery);
  }
  const missing = records.filter((r) => !seen.has(r.sequenceNumber) && !cut.has(r.sequenceNumber));
  if (missing.length > 0) {
    fail(
      `${missing.length} of ${records.length} records never reached the consumer, e.g. ${missing[0]!.shardId} ${
        missing[0]!.sequenceNumber
      }`,
    );
  }
  for (const record of records) {
    const delivery = seen.get(record.sequenceNumber);
    if (delivery === undefined) continue;
    const type = (JSON.parse(record.data) as { type: string }).type;
    if (
      delivery.shardId !== record.shardId ||
      delivery.partitionKey !== record.partitionKey || delivery.type !== type
    ) {
      fail(
        `Record ${record.sequenceNumber}: delivered as ${
          JSON.stringify(delivery)
        }, stored in ${record.shardId} key ${record.partitionKey} type ${type}`,
      );
    }
  }
}

/** Order per shard: deliveries of one run are in sequence order (a redelivery restarts after a checkpoint). */
function assertOrdered(deliveries: Delivery[], label: string): void {
  const last = new Map<string, bigint>();
  for (const d of deliveries) {
    const previous = last.get(d.shardId);
    if (previous !== undefined && seq(d.sequenceNumber) <= previous) {
      fail(
        `${label}: ${d.shardId} delivered ${d.sequenceNumber} after ${previous}: out of order or again`,
      );
    }
    last.set(d.shardId, seq(d.sequenceNumber));
  }
}

/** The launcher ends and leaves no consumer child behind. */
async function assertNoChildren(ctx: Context, label: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let left = processesIn(ctx.project.dir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(250);
    left = processesIn(ctx.project.dir);
  }
  if (left.length > 0) {
    fail(
      `${label}: consumer processes left behind: ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`,
    );
  }
}

/** Puts `batch` records every `everyMs` until `total` are put (a producer running while the daemon consumes). */
function produceInBackground(
  setup: Setup,
  total: number,
  batch = 100,
  everyMs = 150,
): Promise<void> {
  return (async () => {
    for (let put = 0; put < total; put += batch) {
      await putEvents(setup.stack, setup.stream, Math.min(batch, total - put));
      await sleep(everyMs);
    }
  })();
}

/** Checkpoints per shard (shards without one omitted). */
async function checkpoints(setup: Setup): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const lease of await setup.leases()) {
    if (lease.checkpoint) map.set(lease.leaseKey, lease.checkpoint);
  }
  return map;
}

/** Both shards have a sequence-number checkpoint and, together, at least `min` records at or before them. */
async function progressed(setup: Setup, min: number): Promise<boolean> {
  const cps = await checkpoints(setup);
  if ([...cps.values()].filter((c) => /^\d+$/.test(c)).length < 2) return false;
  if (min === 0) return true;
  let covered = 0;
  for (const record of await readStream(setup.stack, setup.stream)) {
    const cp = cps.get(record.shardId);
    if (cp !== undefined && /^\d+$/.test(cp) && seq(record.sequenceNumber) <= seq(cp)) covered++;
  }
  return covered >= min;
}

/**
 * The first run: 1000 records, the daemon started; once both shards checkpointed, a producer puts the rest while the
 * daemon consumes; resolves when `min` records are checkpointed (mid-stream: the producer is still putting).
 */
async function startMidStream(setup: Setup, total: number, min: number, check?: () => Promise<void>) {
  await putEvents(setup.stack, setup.stream, 1000);
  const run = setup.start();
  await setup.waitFor("both shards checkpointed", async () => {
    if (check) await check();
    return progressed(setup, 0);
  }, run);
  const producing = produceInBackground(setup, total - 1000);
  await setup.waitFor(`${min} records checkpointed while the producer puts more`, async () => {
    if (check) await check();
    return progressed(setup, min);
  }, run);
  return { run, producing };
}

/** How many of `total` records the producer has still to put. */
async function producerLeft(setup: Setup, total: number): Promise<number> {
  return total - (await readStream(setup.stack, setup.stream)).length;
}

/**
 * After a restart: per shard, the first record run 2 delivered is the one right after the checkpoint the first run
 * left, and nothing at or before it was delivered again; a shard left at TRIM_HORIZON (killed before its first
 * checkpoint) starts again at its first record.
 */
function assertResumedAfter(
  records: StoredRecord[],
  left: Map<string, string>,
  run: { deliveries: Delivery[] },
  label: string,
): void {
  const shards = byShard(records);
  for (const [shardId, list] of shards) {
    const checkpoint = left.get(shardId);
    const delivered = run.deliveries.filter((d) => d.shardId === shardId);
    if (checkpoint === "TRIM_HORIZON") {
      if (delivered[0]?.sequenceNumber !== list[0]!.sequenceNumber) {
        fail(`${label}: ${shardId} resumed at ${delivered[0]?.sequenceNumber}, not at its first record (TRIM_HORIZON)`);
      }
      continue;
    }
    if (checkpoint === undefined || !/^\d+$/.test(checkpoint)) {
      fail(
        `${label}: ${shardId} had no sequence-number checkpoint before the restart (${checkpoint})`,
      );
    }
    const again = delivered.filter((d) => seq(d.sequenceNumber) <= seq(checkpoint));
    if (again.length > 0) {
      fail(
        `${label}: ${shardId}: ${again.length} records at or before checkpoint ${checkpoint} delivered again, first ${
          again[0]!.sequenceNumber
        }`,
      );
    }
    const index = list.findIndex((r) => r.sequenceNumber === checkpoint);
    const next = list[index + 1];
    if (
      next !== undefined && delivered[0]?.sequenceNumber !== next.sequenceNumber
    ) {
      fail(
        `${label}: ${shardId} resumed at ${
          delivered[0]?.sequenceNumber
        }, not at ${next.sequenceNumber} (right after checkpoint ${checkpoint})`,
      );
    }
  }
}

async function scenario(
  ctx: Context,
  name: string,
  options: Parameters<typeof Setup.create>[2],
  body: (setup: Setup, outcome: Outcome) => Promise<void>,
): Promise<Outcome> {
  const setup = await Setup.create(ctx, name, options);
  const outcome: Outcome = { firstProcessRecordsMs: [], notes: [] };
  try {
    await body(setup, outcome);
    outcome.firstProcessRecordsMs = setup.runs.map((run) => run.firstProcessRecordsMs);
    return outcome;
  } catch (error) {
    const report = await setup.diagnostics();
    throw new ScenarioFailure(`${(error as Error).message}\n${report}`);
  } finally {
    await setup.close();
  }
}

/** a. Two shards, thousands of records: every record processed; each shard's checkpoint is its last record. */
export function scenarioA(ctx: Context, count = 4000): Promise<Outcome> {
  return scenario(
    ctx,
    "a",
    { shards: 2, file: "consumer.ts" },
    async (setup, outcome) => {
      await putEvents(setup.stack, setup.stream, count);
      const run = setup.start();
      await setup.waitFor(
        `every shard's checkpoint at its last record (${count} records)`,
        () => allCheckpointed(setup, count),
        run,
      );
      const records = await assertStreamHolds(setup, count);
      assertDelivered(records, run.deliveries);
      assertOrdered(run.deliveries, "run 1");
      const stopped = await run.terminate();
      outcome.notes.push(
        `SIGTERM: launcher exit ${stopped.code ?? stopped.signal} after ${stopped.ms} ms`,
      );
      await assertNoChildren(ctx, "after SIGTERM");
    },
  );
}

/** b. Graceful restart: SIGTERM mid-stream, checkpoint, exit; restart resumes right after the checkpoint. */
export function scenarioB(
  ctx: Context,
  file = "consumer.ts",
  env: Record<string, string> = {},
  check?: (setup: Setup, records?: StoredRecord[]) => Promise<void>,
  extra: Record<string, string | number> = {},
): Promise<Outcome> {
  const name = file.startsWith("batch") ? "f" : "b";
  return scenario(
    ctx,
    name,
    { shards: 2, file, env, extra },
    async (setup, outcome) => {
      const total = 6000;
      const { run: first, producing } = await startMidStream(setup, total, 1500, check && (() => check(setup)));
      const stopped = await first.terminate();
      outcome.notes.push(
        `SIGTERM mid-stream (${await producerLeft(setup, total)} records not put yet): launcher exit ${
          stopped.code ?? stopped.signal
        } after ${stopped.ms} ms`,
      );
      await assertNoChildren(ctx, "after SIGTERM");
      const left = await checkpoints(setup);
      if (check) await check(setup);
      if (!file.startsWith("batch")) {
        // Graceful: shutdownRequested checkpointed everything the first run delivered.
        for (const [shardId, checkpoint] of left) {
          const delivered = first.deliveries.filter((d) => d.shardId === shardId).at(-1);
          if (delivered && delivered.sequenceNumber !== checkpoint) {
            fail(
              `after SIGTERM: ${shardId}'s checkpoint ${checkpoint} is not the last record delivered (${delivered.sequenceNumber})`,
            );
          }
        }
      }
      await producing;
      const second = setup.start();
      await setup.waitFor(
        `every shard's checkpoint at its last record after the restart`,
        async () => {
          if (check) await check(setup);
          return allCheckpointed(setup, total);
        },
        second,
      );
      const records = await assertStreamHolds(setup, total);
      if (!file.startsWith("batch")) {
        assertResumedAfter(records, left, second, "restart after SIGTERM");
        assertDelivered(records, [...first.deliveries, ...second.deliveries]);
        assertOrdered(first.deliveries, "run 1");
        assertOrdered(second.deliveries, "run 2");
      }
      if (check) await check(setup, records);
      const end = await second.terminate();
      outcome.notes.push(
        `second SIGTERM: exit ${end.code ?? end.signal} after ${end.ms} ms`,
      );
      await assertNoChildren(ctx, "after the second SIGTERM");
    },
  );
}

/** c. Crash: SIGKILL the daemon (java) mid-stream; restart; nothing missing, redelivery only after the checkpoint. */
export function scenarioC(ctx: Context): Promise<Outcome> {
  return scenario(
    ctx,
    "c",
    { shards: 2, file: "consumer.ts" },
    async (setup, outcome) => {
      const total = 6000;
      const { run: first, producing } = await startMidStream(setup, total, 1500);
      const java = first.javaPid();
      if (java === undefined) fail("Cannot find the daemon's java process");
      process.kill(java, "SIGKILL");
      const exit = await first.exit();
      outcome.notes.push(
        `SIGKILL java mid-stream (${await producerLeft(setup, total)} records not put yet): launcher exit ${
          exit.code ?? exit.signal
        }`,
      );
      await assertNoChildren(ctx, "after SIGKILL of the daemon");
      const left = await checkpoints(setup);
      await producing;
      const second = setup.start();
      await setup.waitFor(
        "every shard's checkpoint at its last record after the crash",
        () => allCheckpointed(setup, total),
        second,
      );
      const records = await assertStreamHolds(setup, total);
      assertResumedAfter(records, left, second, "restart after SIGKILL");
      const cut = cutByKill(records, first, left);
      assertDelivered(records, [...first.deliveries, ...second.deliveries], cut);
      assertOrdered(second.deliveries, "run 2");
      outcome.notes.push(`${cut.size} records checkpointed whose lines died with the killed daemon`);
      const again = first.deliveries.filter((d) => {
        const cp = left.get(d.shardId);
        return cp !== undefined && seq(d.sequenceNumber) > seq(cp);
      }).length;
      outcome.notes.push(
        `${again} records delivered after the last checkpoint before the crash (delivered again)`,
      );
      const end = await second.terminate();
      outcome.notes.push(
        `SIGTERM: exit ${end.code ?? end.signal} after ${end.ms} ms`,
      );
    },
  );
}

/** Rows of the batch example's files: sequence number -> event. */
function readSink(dir: string): Map<string, Record<string, unknown>> {
  const rows = new Map<string, Record<string, unknown>>();
  if (!existsSync(dir)) return rows;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (line === "") continue;
      const row = JSON.parse(line) as {
        seq: string;
        event: Record<string, unknown>;
      };
      rows.set(row.seq, row.event);
    }
  }
  return rows;
}

/**
 * f. The batch example (BatchConsumer, file sink) through a graceful restart: at every look at the lease table,
 * every record at or before a shard's checkpoint is already in the files; at the end every record is, with its payload.
 */
export function scenarioF(ctx: Context): Promise<Outcome> {
  const sink = join(ctx.workDir, `sink-${ctx.id}`);
  let looks = 0;
  const check = async (setup: Setup, records?: StoredRecord[]) => {
    const leases = await setup.leases(); // first the checkpoints, then the files: a checkpoint can only be behind
    const rows = readSink(sink);
    const stored = records ?? await readStream(setup.stack, setup.stream);
    const shards = byShard(stored);
    for (const lease of leases) {
      if (!lease.checkpoint || !/^\d+$/.test(lease.checkpoint)) continue;
      for (const record of shards.get(lease.leaseKey) ?? []) {
        if (seq(record.sequenceNumber) > seq(lease.checkpoint)) break;
        if (!rows.has(record.sequenceNumber)) {
          fail(
            `${lease.leaseKey}: checkpoint ${lease.checkpoint} covers ${record.sequenceNumber}, which is not in the files`,
          );
        }
      }
    }
    looks++;
    if (records) {
      for (const record of records) {
        const row = rows.get(record.sequenceNumber);
        if (row === undefined) {
          fail(
            `Record ${record.sequenceNumber} is not in the batch example's files`,
          );
        }
        if (JSON.stringify(row) !== JSON.stringify(JSON.parse(record.data))) {
          fail(
            `Record ${record.sequenceNumber}: the file holds ${JSON.stringify(row)}, the stream ${record.data}`,
          );
        }
      }
    }
  };
  // Without empty processRecords calls, a checkpoint due after a timed flush waits for the shard's next records (the
  // daemon lets a child checkpoint only inside an action): on a quiet shard, the last batch is never checkpointed.
  const extra = { callProcessRecordsEvenForEmptyRecordList: "true" };
  return scenarioB(ctx, "batch_consumer.ts", { BATCH_SINK_DIR: sink }, check, extra)
    .then((outcome) => {
      outcome.notes.push(`checkpoints compared with the files ${looks} times`);
      return outcome;
    });
}

/**
 * d. Resharding while consuming: SplitShard of shardId-000000000000, then MergeShards of its two children, with records
 * put before and after each. Parents end with SHARD_END in the lease table, children start only after their parents
 * completed, the order of each partition key holds across the reshard, nothing is missing.
 */
export function scenarioD(ctx: Context): Promise<Outcome> {
  return scenario(ctx, "d", { shards: 2, file: "consumer.ts" }, async (setup, outcome) => {
    const sawShardEnd = new Set<string>();
    const watch = async () => {
      for (const lease of await setup.leases()) if (lease.checkpoint === "SHARD_END") sawShardEnd.add(lease.leaseKey);
    };
    await putEvents(setup.stack, setup.stream, 1000);
    const run = setup.start();
    await setup.waitFor("both shards checkpointed", async () => {
      await watch();
      return progressed(setup, 0);
    }, run);
    const [first] = await listShards(setup.stack, setup.stream);
    const start = BigInt(first!.HashKeyRange!.StartingHashKey!);
    const end = BigInt(first!.HashKeyRange!.EndingHashKey!);
    await setup.stack.kinesis.send(
      new SplitShardCommand({
        StreamName: setup.stream,
        ShardToSplit: first!.ShardId!,
        NewStartingHashKey: String((start + end) / 2n + 1n),
      }),
    );
    await waitForStream(setup.stack, setup.stream);
    await putEvents(setup.stack, setup.stream, 1000);
    const children = (await listShards(setup.stack, setup.stream)).filter((shard) =>
      shard.ParentShardId === first!.ShardId
    );
    if (children.length !== 2) fail(`SplitShard made ${children.length} children, not 2`);
    await setup.waitFor("the split's children consumed", async () => {
      await watch();
      const cps = await checkpoints(setup);
      return children.every((child) => /^\d+$/.test(cps.get(child.ShardId!) ?? ""));
    }, run);
    await setup.stack.kinesis.send(
      new MergeShardsCommand({
        StreamName: setup.stream,
        ShardToMerge: children[0]!.ShardId!,
        AdjacentShardToMerge: children[1]!.ShardId!,
      }),
    );
    await waitForStream(setup.stack, setup.stream);
    await putEvents(setup.stack, setup.stream, 1000);
    const shards = await listShards(setup.stack, setup.stream);
    const closed = shards.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber !== undefined);
    const open = shards.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
    await setup.waitFor("every closed shard at SHARD_END and every open shard at its last record", async () => {
      await watch();
      const records = byShard(await readStream(setup.stack, setup.stream));
      const cps = await checkpoints(setup);
      return closed.every((shard) => sawShardEnd.has(shard.ShardId!)) &&
        open.every((shard) => {
          const list = records.get(shard.ShardId!) ?? [];
          return list.length === 0 || cps.get(shard.ShardId!) === list.at(-1)!.sequenceNumber;
        });
    }, run);
    const records = await assertStreamHolds(setup, 3000);
    assertDelivered(records, run.deliveries);
    // Children only after their parents: a child's first delivery comes after its parents' last.
    for (const shard of shards) {
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id) => id !== undefined);
      const firstChild = run.deliveries.find((d) => d.shardId === shard.ShardId);
      for (const parent of parents) {
        const parentDeliveries = run.deliveries.filter((d) => d.shardId === parent);
        const lastParent = parentDeliveries.at(-1);
        if (firstChild && lastParent && run.deliveries.indexOf(firstChild) < run.deliveries.indexOf(lastParent)) {
          fail(`${shard.ShardId} delivered ${firstChild.sequenceNumber} before its parent ${parent} finished`);
        }
      }
    }
    // Order per partition key across the reshard: the producer's counter n grows per key.
    const nOf = new Map(records.map((r) => [r.sequenceNumber, (JSON.parse(r.data) as { n: number }).n]));
    const lastN = new Map<string, number>();
    for (const d of run.deliveries) {
      const n = nOf.get(d.sequenceNumber)!;
      if ((lastN.get(d.partitionKey) ?? -1) >= n) fail(`${d.partitionKey}: event ${n} delivered after a later one`);
      lastN.set(d.partitionKey, n);
    }
    outcome.notes.push(
      `${closed.length} parents reached SHARD_END (${[...sawShardEnd].join(", ")}); ${open.length} open shards`,
    );
    const stopped = await run.terminate();
    outcome.notes.push(`SIGTERM: exit ${stopped.code ?? stopped.signal}`);
  });
}

/**
 * e. Two workers (two launchers, one applicationName) on 4 shards: leases spread over both; SIGKILL one worker's java
 * mid-stream, once it processed records: the other takes its leases and continues right after their checkpoints; nothing missing.
 */
export function scenarioE(ctx: Context): Promise<Outcome> {
  return scenario(ctx, "e", { shards: 4, file: "consumer.ts" }, async (setup, outcome) => {
    const total = 4000;
    await putEvents(setup.stack, setup.stream, 2000);
    const a = setup.start();
    const b = setup.start();
    const owners = async () => {
      const leases = await setup.leases();
      return new Set(leases.map((lease) => lease.leaseOwner).filter((owner) => owner !== undefined));
    };
    await setup.waitFor("leases held by both workers", async () => (await owners()).size === 2, a);
    const spread = await setup.leases();
    outcome.notes.push(
      `leases: ${spread.map((l) => `${l.leaseKey.slice(-2)}=${l.leaseOwner?.slice(0, 4)}`).join(" ")}`,
    );
    // The victim: the worker that owns shardId-000000000000's lease.
    const victimOwner = spread.find((l) => l.leaseKey.endsWith("0000"))!.leaseOwner!;
    const victim = a.workerId === victimOwner ? a : b;
    if (victim.workerId !== victimOwner) fail(`Neither worker is ${victimOwner} (${a.workerId}, ${b.workerId})`);
    const survivor = victim === a ? b : a;
    const producing = produceInBackground(setup, total - 2000);
    // Mid-stream: the victim is processing (a lease handed over to it may not have reached its processor yet).
    await setup.waitFor("the victim's first record", () => Promise.resolve(victim.deliveries.length > 0), victim);
    outcome.notes.push(`the victim processed ${victim.deliveries.length} records`);
    const java = victim.javaPid();
    if (java === undefined) fail("Cannot find the victim's java process");
    process.kill(java, "SIGKILL");
    const killedAt = Date.now();
    await victim.exit();
    const left = await checkpoints(setup);
    const victimShards = new Set(spread.filter((l) => l.leaseOwner === victimOwner).map((l) => l.leaseKey));
    await producing;
    await setup.waitFor("the survivor holds every lease and every checkpoint is at its last record", async () => {
      return (await owners()).size === 1 && await allCheckpointed(setup, total);
    }, survivor);
    outcome.notes.push(
      `SIGKILL of one worker: the other took its ${victimShards.size} leases within ${
        ((Date.now() - killedAt) / 1000).toFixed(0)
      } s`,
    );
    const records = await assertStreamHolds(setup, total);
    const taken = records.filter((r) => victimShards.has(r.shardId));
    const takenLeft = new Map([...left].filter(([shard]) => victimShards.has(shard)));
    const cut = cutByKill(taken, victim, takenLeft);
    assertDelivered(records, [...a.deliveries, ...b.deliveries], cut);
    outcome.notes.push(`${cut.size} records the victim checkpointed whose lines died with its daemon`);
    const afterKill = { deliveries: survivor.deliveries.filter((d) => d.at >= killedAt) };
    assertResumedAfter(taken, takenLeft, afterKill, "failover");
    const end = await survivor.terminate();
    outcome.notes.push(`SIGTERM: exit ${end.code ?? end.signal}`);
  });
}

/**
 * g. A consumer that fails at its 300th record (e2e/faulty_consumer.mjs, FAULT = throw, exit or junk): what the real
 * daemon does, and what the user sees in the launcher's output; then "the fix" (the same consumer without FAULT) and a
 * restart: processing resumes right after the last checkpoint and nothing is missing.
 */
function scenarioG(fault: string): (ctx: Context) => Promise<Outcome> {
  return (ctx) =>
    scenario(ctx, `g${fault}`, { shards: 2, file: "faulty_consumer.mjs" }, async (setup, outcome) => {
      const total = 1500;
      await putEvents(setup.stack, setup.stream, total);
      const first = setup.start({ FAULT: fault });
      const started = Date.now();
      if (fault === "junk") {
        await setup.waitFor("every checkpoint at its last record despite junk on stdout", () =>
          allCheckpointed(setup, total), first);
        const stopped = await first.terminate();
        await sleep(500); // the log file's last writes
        const log = readFileSync(first.logFile, "utf8").split("\n");
        const skipped = log.filter((line) =>
          line.includes("Skipping unexpected line on STDOUT")
        ).length;
        const relayed = log.filter((line) =>
          line.includes("Received error line from subprocess [this is not JSON]")
        ).length;
        if (skipped + relayed === 0) fail("The junk line appears nowhere in the daemon's output");
        outcome.notes.push(
          `junk on fd 1: ${skipped} lines skipped by the daemon ("Skipping unexpected line on STDOUT"), ${relayed} relayed from stderr; every record checkpointed; SIGTERM exit ${
            stopped.code ?? stopped.signal
          }`,
        );
        return;
      }
      const exit = await Promise.race([first.exit(), sleep(LIMIT_MS).then(() => undefined)]);
      if (exit === undefined) fail(`The daemon did not stop after the consumer's ${fault}`);
      const lines = first.tail(400).split("\n");
      const reason = lines.find((line) => line.includes("Encountered an error while trying to"));
      outcome.notes.push(
        `${fault}: the daemon exits ${exit.code ?? exit.signal} after ${Date.now() - started} ms (${
          reason?.replace(/^.* - /, "").trim() ?? "no reason logged"
        })`,
      );
      await assertNoChildren(ctx, `after the consumer's ${fault}`);
      const left = await checkpoints(setup);
      const second = setup.start();
      await setup.waitFor("every checkpoint at its last record after the fix", () =>
        allCheckpointed(setup, total), second);
      const records = await assertStreamHolds(setup, total);
      assertResumedAfter(records, left, second, `restart after the consumer's ${fault}`);
      assertDelivered(records, [...first.deliveries, ...second.deliveries]);
      const end = await second.terminate();
      outcome.notes.push(`after the fix: resumed right after the checkpoint; SIGTERM exit ${end.code ?? end.signal}`);
    });
}

export const SCENARIOS: Record<string, (ctx: Context) => Promise<Outcome>> = {
  a: scenarioA,
  b: (ctx) => scenarioB(ctx),
  c: scenarioC,
  f: scenarioF,
  d: scenarioD,
  e: scenarioE,
  "g-throw": scenarioG("throw"),
  "g-exit": scenarioG("exit"),
  "g-junk": scenarioG("junk"),
  // Issue 19: the README's consumer as a shard host behind socat relays, started by `kcl-launcher --host`.
  "a-host": (ctx) => scenarioA({ ...ctx, host: true }),
  "b-host": (ctx) => scenarioB({ ...ctx, host: true }),
  "e-host": (ctx) => scenarioE({ ...ctx, host: true }),
};
