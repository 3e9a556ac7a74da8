/**
 * Randomized, seeded runs of a shard's whole life: records of several keys
 * (KPL sub-records and skipped records included) arrive in random chunks;
 * flushes fail at random (some beyond their retries, which fails the
 * process); the process is killed at random; each new process starts from
 * the committed checkpoint, as under the daemon. Every run proves that no
 * checkpoint ever passed an unflushed record and that every record was
 * flushed at least once. A failing seed reproduces with `BATCH_SEED=<n>`.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareSequence, type SequencePosition } from "../mod.ts";
import { BatchConsumer } from "../src/batch/mod.ts";
import { formatPosition } from "../src/session/sequence.ts";
import type { Event } from "./support/batch/fixture.ts";
import { RecordingSink } from "./support/batch/recording_sink.ts";
import { hashFraction, seededRandom } from "./support/seeded_random.ts";
import { type ActionResult, ShardSession, type TestRecord } from "./support/batch/shard_session.ts";

interface RandomEvent extends Event {
  readonly skip: boolean;
}

const id = formatPosition;

function makeStream(random: () => number): TestRecord[] {
  const keys = ["a", "b", "c", "d"].slice(0, 1 + Math.floor(random() * 4));
  const records: TestRecord[] = [];
  let sequence = 1000n + BigInt(Math.floor(random() * 1000));
  const count = 40 + Math.floor(random() * 120);
  while (records.length < count) {
    sequence += 1n + BigInt(Math.floor(random() * 3));
    const subRecords = random() < 0.2 ? 1 + Math.floor(random() * 4) : 1;
    for (let sub = 0; sub < subRecords; sub++) {
      const seq = `49590338271490256608559692538361571095921575989136${sequence}`;
      const payload: RandomEvent = {
        key: keys[Math.floor(random() * keys.length)]!,
        seq,
        sub,
        skip: random() < 0.1,
        size: "x".repeat(Math.floor(random() * 80)),
      };
      records.push({ sequenceNumber: seq, subSequenceNumber: sub, payload });
    }
  }
  return records;
}

async function runLife(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const stream = makeStream(random);
  const maxAttempts = 1 + Math.floor(random() * 3);
  const settings = {
    maxRecords: 1 + Math.floor(random() * 8),
    maxBytes: 100 + Math.floor(random() * 500),
    maxAgeMs: 1 + Math.floor(random() * 4),
    maxConcurrentFlushes: 1 + Math.floor(random() * 3),
    checkpointIntervalMs: random() < 0.3 ? 2 : 0,
    maxBufferedRecords: 4 + Math.floor(random() * 20),
    retry: { attempts: maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
  };
  const everFlushed = new Set<string>();
  const skipped = new Set<string>(
    stream.filter((record) => (record.payload as RandomEvent).skip).map((record) => id(record as SequencePosition)),
  );
  const isDone = (position: SequencePosition) => everFlushed.has(id(position)) || skipped.has(id(position));
  let committed: SequencePosition | undefined;
  const trace: string[] = [`seed ${seed}: ${stream.length} records, ${JSON.stringify(settings)}`];

  for (let life = 1;; life++) {
    assert.ok(life < 40, `no end after 40 processes:\n${trace.join("\n")}`);
    const failureRate = life <= 4 ? random() * 0.3 : 0;
    const crashRate = life <= 4 ? 0.08 : 0;
    const sink = new RecordingSink<RandomEvent>();
    let fatal = false;
    sink.failWhen((call) => {
      const fails =
        hashFraction(`${seed}/${life}/${call.context.key}/${id(call.context.first)}/${call.context.attempt}`) <
          failureRate;
      if (fails && call.context.attempt >= maxAttempts) fatal = true;
      return fails ? new Error("injected sink failure") : undefined;
    });
    const consumer = new BatchConsumer<RandomEvent>({
      ...settings,
      map: (record) => {
        const event = record.json<RandomEvent>();
        return event.skip ? undefined : event;
      },
      keyOf: (event) => event.key,
      flush: async (items, context) => {
        await sink.flush(items, context);
        for (const item of items) everFlushed.add(`${item.seq}/${item.sub}`);
      },
      log: () => {},
      statsIntervalMs: 0,
    });
    const start = committed === undefined
      ? 0
      : stream.findIndex((r) => compareSequence(r as SequencePosition, committed!) > 0);
    const pending = start === -1 ? [] : stream.slice(start);
    const session = await ShardSession.start(
      consumer,
      committed === undefined ? { isDone } : { isDone, initialCheckpoint: committed },
    );
    trace.push(
      `life ${life}: from ${committed === undefined ? "TRIM_HORIZON" : id(committed)}, failure rate ${
        failureRate.toFixed(2)
      }`,
    );
    let deliveredToFlush = 0;
    let outcome: "failed" | "crashed" | "handed off" | "ended" | undefined;
    const check = (result: ActionResult, action: string) => {
      if (result.ok) return true;
      // The only way a process may fail here: a flush beyond its retries.
      assert.ok(fatal, `${action} failed without a fatal flush: ${result.result.error?.message}`);
      assert.match(result.result.error?.message ?? "", /Cannot flush/);
      outcome = "failed";
      return false;
    };
    try {
      while (outcome === undefined) {
        if (pending.length === 0) {
          if (random() < 0.3 && life <= 4) {
            if (check(await session.shutdownRequested(), "shutdownRequested")) {
              assert.ok((await session.leaseLost()).ok);
              outcome = "handed off";
            }
          } else if (check(await session.shardEnded(), "shardEnded")) {
            outcome = "ended";
          }
          break;
        }
        if (random() < crashRate) {
          outcome = "crashed";
          break;
        }
        const chunk = pending.splice(0, 1 + Math.floor(random() * 15));
        deliveredToFlush += chunk.filter((record) => !(record.payload as RandomEvent).skip).length;
        if (!check(await session.processRecords(chunk, Math.floor(random() * 1000)), "processRecords")) break;
        if (random() < 0.5) {
          // Let time pass between actions until the next flush (or until everything of this life is flushed):
          // age flushes happen, and their checkpoints are deferred to the next action.
          const calls = sink.calls.length;
          await sink.until(() => fatal || sink.items.length === deliveredToFlush || sink.calls.length > calls);
        }
      }
    } finally {
      await consumer.close();
      await session.end();
    }
    trace.push(`  ${outcome}; checkpoints ${session.positions.join(" ")}`);
    assert.deepEqual(session.violations, [], trace.join("\n"));
    if (typeof session.committed === "object") committed = session.committed;
    if (outcome === "ended") {
      assert.equal(session.committed, "SHARD_END");
      break;
    }
  }
  const lost = stream.filter((record) => !isDone(record as SequencePosition));
  assert.deepEqual(lost.map((record) => id(record as SequencePosition)), [], trace.join("\n"));
}

const chosen = Number(
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.BATCH_SEED,
);
const seeds = Number.isInteger(chosen) ? [chosen] : Array.from({ length: 30 }, (_, i) => 7919 * (i + 1));

describe("BatchConsumer: randomized lives with flush failures and restarts", () => {
  for (const seed of seeds) {
    it(
      `seed ${seed}: every record flushed at least once, no checkpoint past an unflushed record`,
      { timeout: 20_000 },
      async () => {
        await runLife(seed);
      },
    );
  }
});
