/**
 * The scenario layer of the BatchConsumer tests: one shard's session played
 * by a daemon, with the daemon's checkpoint rules and a safety oracle.
 *
 * Today it runs on `ScriptedDaemon.inProcess` (the real KclProcess over
 * in-memory streams); moving to the FakeDaemon of `./testing` only changes
 * this file.
 */

import type { KclProcessOptions, KclProcessResult, RecordProcessor, SequencePosition } from "../../mod.ts";
import { compareSequence } from "../../mod.ts";
import {
  type ActionOutcome,
  type CheckpointRequest,
  initializeMessage,
  processRecordsMessage,
  ScriptedDaemon,
  wireRecord,
} from "../support/scripted_daemon.ts";

/** A record to deliver: its position and JSON payload. */
export interface TestRecord {
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly payload: unknown;
}

/** A checkpoint request as seen by the daemon, with the action it arrived in. */
export interface SeenCheckpoint extends CheckpointRequest {
  readonly action: string;
  /** The error the daemon answered, `null` for success. */
  readonly error: string | null;
}

/** Options of {@linkcode ShardSession.start}. */
export interface ShardSessionOptions {
  /** Whether the record at a position was flushed (the oracle every checkpoint is checked against). */
  readonly isDone?: (position: SequencePosition) => boolean;
  /** Injects a daemon error (e.g. `ThrottlingException`) for a request; `null` to apply the normal rules. */
  readonly inject?: (request: CheckpointRequest) => string | null;
  /** The lease's checkpoint sent with `initialize` (a later checkpoint below it is refused). */
  readonly initialCheckpoint?: SequencePosition;
  /** Policies of the KclProcess. */
  readonly kcl?: Omit<KclProcessOptions, "input" | "output">;
}

/** What an action led to: the daemon's view, or the session's failure. */
export type ActionResult = { ok: true; outcome: ActionOutcome } | { ok: false; result: KclProcessResult };

/** One shard's session, driven action by action. */
export class ShardSession {
  /** Every checkpoint request, in arrival order. */
  readonly checkpoints: SeenCheckpoint[] = [];
  /** Checkpoints that passed a record not yet done (must stay empty). */
  readonly violations: string[] = [];
  /** The position the lease table holds (`SHARD_END` after shard end). */
  committed: string | SequencePosition | undefined;
  readonly #daemon: ScriptedDaemon & { result: Promise<KclProcessResult> };
  readonly #options: ShardSessionOptions;
  readonly #delivered: SequencePosition[] = [];
  #action = "";

  private constructor(processor: RecordProcessor, options: ShardSessionOptions) {
    this.#options = options;
    this.committed = options.initialCheckpoint;
    this.#daemon = ScriptedDaemon.inProcess(processor, options.kcl ?? {});
  }

  /** Starts a session and sends `initialize`. */
  static async start(processor: RecordProcessor, options: ShardSessionOptions = {}): Promise<ShardSession> {
    const session = new ShardSession(processor, options);
    const message = initializeMessage(
      "shardId-000000000001",
      options.initialCheckpoint?.sequenceNumber ?? "TRIM_HORIZON",
    );
    const init = await session.#act("initialize", {
      ...message,
      subSequenceNumber: options.initialCheckpoint?.subSequenceNumber ?? 0,
    });
    if (!init.ok) throw new Error(`Cannot initialize: ${init.result.error?.message}`);
    return session;
  }

  /** The session's result (resolves once it ended). */
  get result(): Promise<KclProcessResult> {
    return this.#daemon.result;
  }

  /** Explicit checkpoint positions requested so far, as `seq/sub` strings (`SHARD_END` for null). */
  get positions(): string[] {
    return this.checkpoints.map((c) =>
      c.sequenceNumber === null ? "SHARD_END" : `${c.sequenceNumber}/${c.subSequenceNumber ?? 0}`
    );
  }

  /** Sends `processRecords`. */
  processRecords(records: readonly TestRecord[], millisBehindLatest: number | null = 0): Promise<ActionResult> {
    const wire = records.map((record) =>
      wireRecord(record.sequenceNumber, JSON.stringify(record.payload), {
        subSequenceNumber: record.subSequenceNumber ?? 0,
      })
    );
    for (const record of records) {
      this.#delivered.push({ sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 });
    }
    return this.#act("processRecords", processRecordsMessage(wire, millisBehindLatest));
  }

  /** Sends `shutdownRequested`. */
  shutdownRequested(): Promise<ActionResult> {
    return this.#act("shutdownRequested", { action: "shutdownRequested" });
  }

  /** Sends `shardEnded`. */
  shardEnded(): Promise<ActionResult> {
    return this.#act("shardEnded", { action: "shardEnded" });
  }

  /** Sends `leaseLost`. */
  leaseLost(): Promise<ActionResult> {
    return this.#act("leaseLost", { action: "leaseLost" });
  }

  /** Closes the input and returns the session's result. */
  async end(): Promise<KclProcessResult> {
    await this.#daemon.end();
    return await this.#daemon.result;
  }

  async #act(name: string, message: Record<string, unknown>): Promise<ActionResult> {
    this.#action = name;
    try {
      const outcome = await this.#daemon.action(message, (request) => this.#answer(request));
      if (outcome.responseFor !== name) throw new Error(`Status for ${outcome.responseFor}, expected ${name}`);
      return { ok: true, outcome };
    } catch (error) {
      const result = await this.#daemon.result;
      if (result.exitCode === 0) throw error;
      return { ok: false, result };
    }
  }

  /** The daemon's checkpoint rules, plus the oracle. */
  #answer(request: CheckpointRequest): string | null {
    const injected = this.#options.inject?.(request) ?? null;
    const error = injected ?? this.#judge(request);
    this.checkpoints.push({ ...request, action: this.#action, error });
    return error;
  }

  #judge(request: CheckpointRequest): string | null {
    if (!["processRecords", "shutdownRequested", "shardEnded"].includes(this.#action)) return "InvalidStateException";
    if (request.sequenceNumber === null) {
      if (this.#action === "shardEnded") this.committed = "SHARD_END";
      else this.committed = this.#delivered.at(-1);
      return null;
    }
    const position = { sequenceNumber: request.sequenceNumber, subSequenceNumber: request.subSequenceNumber ?? 0 };
    const last = this.#delivered.at(-1);
    if (last === undefined || compareSequence(position, last) > 0) return "IllegalArgumentException";
    if (
      typeof this.committed === "object" && compareSequence(position, this.committed) < 0
    ) return "IllegalArgumentException";
    const isDone = this.#options.isDone;
    if (isDone !== undefined) {
      for (const record of this.#delivered) {
        if (compareSequence(record, position) <= 0 && !isDone(record)) {
          this.violations.push(
            `checkpoint ${position.sequenceNumber}/${position.subSequenceNumber} passes ${record.sequenceNumber}/${record.subSequenceNumber}`,
          );
        }
      }
    }
    this.committed = position;
    return null;
  }
}

/** Records with JSON payloads `{ key, n }` at sequence numbers `from`, `from + 1`, … */
export function events(keys: readonly string[], from = 1): TestRecord[] {
  return keys.map((key, index) => ({
    sequenceNumber: String(from + index),
    payload: { key, n: from + index },
  }));
}

/** A collected log event. */
export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A log function that collects events, and lets a test wait for one. */
export function collectLog(): {
  log: (level: string, message: string, fields?: Record<string, unknown>) => void;
  entries: LogEntry[];
  until: (predicate: (entry: LogEntry) => boolean) => Promise<LogEntry>;
} {
  const entries: LogEntry[] = [];
  let watchers: (() => void)[] = [];
  return {
    entries,
    log: (level, message, fields = {}) => {
      entries.push({ level, message, fields: { ...fields } });
      const woken = watchers;
      watchers = [];
      for (const wake of woken) wake();
    },
    until: async (predicate) => {
      for (;;) {
        const found = entries.find(predicate);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => watchers.push(resolve));
      }
    },
  };
}
