/**
 * The scenario layer of the BatchConsumer tests: one shard's session played
 * by the FakeDaemon (the real checkpointer's rules, in process), with a
 * safety oracle: every checkpoint the daemon stores is compared, at that
 * moment, against the records flushed so far.
 */

import type { SequencePosition } from "../../../mod.ts";
import { compareSequence } from "../../../mod.ts";
import { formatPosition } from "../../../src/session/sequence.ts";
import {
  type ActionResult as DaemonActionResult,
  type ExecutedCheckpoint,
  FakeDaemon,
  FakeDaemonError,
  type InProcessOptions,
  type RecordMessage,
  type RecordPayload,
} from "../../../src/testing/mod.ts";
import { encodePayload } from "../../../src/testing/record_builder.ts";
import type { RecordProcessor } from "../../../mod.ts";
import { withChildLines } from "../daemon_lines.ts";

/** A record to deliver: its position and JSON payload. */
export interface TestRecord {
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly payload: unknown;
}

/** A checkpoint request as seen by the daemon, with the action it arrived in and the daemon's answer. */
export type SeenCheckpoint = Omit<ExecutedCheckpoint, "stored">;

/** Options of {@linkcode ShardSession.start}. */
export interface ShardSessionOptions {
  /** Whether the record at a position was flushed (the oracle every stored checkpoint is checked against). */
  readonly isDone?: (position: SequencePosition) => boolean;
  /** The lease's checkpoint sent with `initialize` (a later checkpoint below it is refused). */
  readonly initialCheckpoint?: SequencePosition;
  /** Policies of the KclProcess. */
  readonly kcl?: InProcessOptions["session"];
}

/** How the session ended: its exit code, and the reason it logged when it failed. */
export interface SessionEnd {
  readonly exitCode: number | null;
  readonly error: Error | null;
}

/** What an action led to: the daemon's view (with the child's exact lines), or the session's failure. */
export type ActionResult =
  | { ok: true; outcome: DaemonActionResult & { readonly lines: string[] } }
  | { ok: false; result: SessionEnd };

const SHARD_ID = "shardId-000000000001";

/** One shard's session, driven action by action. */
export class ShardSession {
  /** Every checkpoint request, in arrival order. */
  readonly checkpoints: SeenCheckpoint[] = [];
  /** Checkpoints that passed a record not yet done (must stay empty). */
  readonly violations: string[] = [];
  readonly #daemon: FakeDaemon;
  readonly #isDone: ((position: SequencePosition) => boolean) | undefined;
  readonly #delivered: SequencePosition[] = [];
  /** The error messages the session logged: the last one is why it failed. */
  readonly #errors: string[] = [];

  private constructor(processor: RecordProcessor, options: ShardSessionOptions) {
    this.#isDone = options.isDone;
    const kcl = options.kcl ?? {};
    this.#daemon = FakeDaemon.inProcess(processor, {
      session: {
        ...kcl,
        log: (level, message, fields) => {
          if (level === "error") this.#errors.push(message);
          kcl.log?.(level, message, fields);
        },
      },
      onCheckpoint: (checkpoint) => this.#judge(checkpoint),
    });
  }

  /** Starts a session and sends `initialize`. */
  static async start(processor: RecordProcessor, options: ShardSessionOptions = {}): Promise<ShardSession> {
    const session = new ShardSession(processor, options);
    const init = await session.#act(() =>
      session.#daemon.initialize({
        shardId: SHARD_ID,
        sequenceNumber: options.initialCheckpoint?.sequenceNumber ?? "TRIM_HORIZON",
        subSequenceNumber: options.initialCheckpoint?.subSequenceNumber ?? 0,
      })
    );
    if (!init.ok) throw new Error(`Cannot initialize: ${init.result.error?.message}`);
    return session;
  }

  /** The position the lease table holds: `SHARD_END` after shard end, `undefined` before any record checkpoint. */
  get committed(): "SHARD_END" | SequencePosition | undefined {
    const stored = this.#daemon.checkpoint;
    if (stored === null || !/^[0-9]+$/.test(stored.sequenceNumber)) {
      return stored?.sequenceNumber === "SHARD_END" ? "SHARD_END" : undefined;
    }
    return stored;
  }

  /** Explicit checkpoint positions requested so far, as `seq/sub` strings (`SHARD_END` for null). */
  get positions(): string[] {
    return this.checkpoints.map((c) =>
      c.sequenceNumber === null
        ? "SHARD_END"
        : formatPosition({ sequenceNumber: c.sequenceNumber, subSequenceNumber: c.subSequenceNumber })
    );
  }

  /** Sends `processRecords`. */
  processRecords(records: readonly TestRecord[], millisBehindLatest: number | null = 0): Promise<ActionResult> {
    const wire = records.map((record): RecordMessage => ({
      data: encodePayload(record.payload as RecordPayload),
      partitionKey: `pk-${record.sequenceNumber}`,
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber: record.subSequenceNumber ?? 0,
      approximateArrivalTimestamp: 1700000000123,
    }));
    for (const record of records) {
      this.#delivered.push({ sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber ?? 0 });
    }
    return this.#act(() => this.#daemon.processRecords(wire, { millisBehindLatest }));
  }

  /** Sends `shutdownRequested`. */
  shutdownRequested(): Promise<ActionResult> {
    return this.#act(() => this.#daemon.shutdownRequested());
  }

  /** Sends `shardEnded`. */
  shardEnded(): Promise<ActionResult> {
    return this.#act(() => this.#daemon.shardEnded());
  }

  /** Sends `leaseLost`. */
  leaseLost(): Promise<ActionResult> {
    return this.#act(() => this.#daemon.leaseLost());
  }

  /** Closes the input and says how the session ended. */
  async end(): Promise<SessionEnd> {
    const exitCode = await this.#daemon.end();
    const reason = this.#errors.at(-1);
    return { exitCode, error: exitCode === 0 || reason === undefined ? null : new Error(reason) };
  }

  async #act(step: (daemon: FakeDaemon) => Promise<DaemonActionResult>): Promise<ActionResult> {
    try {
      const outcome = await withChildLines(this.#daemon, step);
      // The BatchConsumer is the library's own child: any protocol violation is a bug.
      this.#daemon.assertNoViolations();
      if (outcome.responseFor !== outcome.action) {
        throw new Error(`Status for ${outcome.responseFor}, expected ${outcome.action}`);
      }
      return { ok: true, outcome };
    } catch (error) {
      if (!(error instanceof FakeDaemonError) || error.kind !== "child-exited") throw error;
      const result = await this.end();
      if (result.exitCode === 0) throw error;
      return { ok: false, result };
    }
  }

  /** The oracle, when the daemon answers a request: a stored checkpoint must not pass a record not yet done. */
  #judge({ stored, ...checkpoint }: ExecutedCheckpoint): void {
    this.checkpoints.push(checkpoint);
    if (checkpoint.error !== null || stored === null || this.#isDone === undefined) return;
    const shardEnd = stored.sequenceNumber === "SHARD_END";
    for (const record of this.#delivered) {
      if ((shardEnd || compareSequence(record, stored) <= 0) && !this.#isDone(record)) {
        this.violations.push(
          `checkpoint ${stored.sequenceNumber}/${stored.subSequenceNumber} passes ${record.sequenceNumber}/${record.subSequenceNumber}`,
        );
      }
    }
  }
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
