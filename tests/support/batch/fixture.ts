/**
 * A BatchConsumer wired to a RecordingSink, a log collector and a shard
 * session whose oracle knows which records the sink flushed.
 */

import type { KinesisRecord, SequencePosition } from "../../../mod.ts";
import { BatchConsumer, type BatchConsumerOptions } from "../../../src/batch/mod.ts";
import { formatPosition } from "../../../src/session/sequence.ts";
import { RecordingSink } from "./recording_sink.ts";
import { collectLog, ShardSession, type ShardSessionOptions, type TestRecord } from "./shard_session.ts";

/** The payload of test records. */
export interface Event {
  readonly key: string;
  readonly seq: string;
  readonly sub: number;
  readonly size?: string;
}

/** Records `seq` = from, from+1, … with the given keys (payload `{ key, seq, sub: 0 }`). */
export function keyed(keys: readonly string[], from = 1): TestRecord[] {
  return keys.map((key, index) => {
    const seq = String(from + index);
    return { sequenceNumber: seq, payload: { key, seq, sub: 0 } };
  });
}

/** A KPL sub-record. */
export function subRecord(key: string, seq: string, sub: number): TestRecord {
  return { sequenceNumber: seq, subSequenceNumber: sub, payload: { key, seq, sub } };
}

const id = formatPosition;

/** Everything a scenario needs. */
export interface Fixture {
  readonly consumer: BatchConsumer<Event>;
  readonly sink: RecordingSink<Event>;
  readonly logs: ReturnType<typeof collectLog>;
  /** Positions `map` skipped (returned undefined for). */
  readonly skipped: Set<string>;
  /** Whether a record was flushed (or skipped). */
  readonly isDone: (position: SequencePosition) => boolean;
  /** Starts the shard's session (initialize answered). */
  start(options?: Omit<ShardSessionOptions, "isDone">): Promise<ShardSession>;
}

/** A consumer keyed by `event.key` with quiet defaults (no stats timer, no retries, 1 h age). */
export function fixture(options: Partial<BatchConsumerOptions<Event>> = {}): Fixture {
  const sink = new RecordingSink<Event>();
  const logs = collectLog();
  const skipped = new Set<string>();
  const map = options.map ?? ((record: KinesisRecord) => record.json<Event>());
  const consumer = new BatchConsumer<Event>({
    keyOf: (event) => event.key,
    flush: sink.flush,
    log: logs.log,
    statsIntervalMs: 0,
    maxAgeMs: 3_600_000,
    retry: { attempts: 1 },
    ...options,
    map: (record) => {
      const note = (item: Event | undefined) => {
        if (item === undefined) skipped.add(id(record));
        return item;
      };
      const item = map(record);
      return item instanceof Promise ? item.then(note) : note(item);
    },
  });
  const isDone = (position: SequencePosition) =>
    skipped.has(id(position)) || sink.items.some((event) => `${event.seq}/${event.sub}` === id(position));
  return {
    consumer,
    sink,
    logs,
    skipped,
    isDone,
    start: (sessionOptions = {}) => ShardSession.start(consumer, { ...sessionOptions, isDone }),
  };
}
