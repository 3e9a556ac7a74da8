/**
 * The fake MultiLangDaemon: the daemon's side of the wire, exactly as the
 * real one plays it (one action at a time, checkpoints executed in order and
 * answered once each, the real checkpointer's validation), but stricter where
 * the real one would hang or die silently.
 *
 * @module
 */

import type { RecordProcessor } from "../process/record_processor.ts";
import type { RecordMessage } from "../protocol/messages.ts";
import {
  CheckpointLedger,
  type CheckpointPosition,
  type CheckpointWindow,
  formatPosition,
  isComparable,
  SHARD_END,
} from "./checkpoint_ledger.ts";
import { childTransport, type SpawnOptions } from "./child_transport.ts";
import { FakeDaemonError } from "./fake_daemon_error.ts";
import { type FaultOptions, MessageEncoder } from "./faults.ts";
import { type InProcessSessionOptions, inProcessTransport } from "./in_process_transport.ts";
import { formatTranscript, type TranscriptEntry } from "./transcript.ts";
import type { DaemonTransport } from "./transport.ts";
import { formatViolations, type Violation, type ViolationKind } from "./violation.ts";

/** Options of a {@linkcode FakeDaemon}. */
export interface FakeDaemonOptions {
  /**
   * How long the child may stay silent while an action is in flight (the
   * timer restarts on every line it writes, like the daemon's
   * `timeoutInSeconds`), and how long it may take to exit after `end()`.
   *
   * @default {10000}
   */
  readonly timeoutMs?: number;
  /** Faults to inject from the first action on; see {@linkcode FakeDaemon.faults}. */
  readonly faults?: FaultOptions;
  /** Receives each line the child writes to stderr (the in-process session's log lines). */
  readonly onStderr?: (line: string) => void;
  /** How many transcript entries to keep (the oldest are dropped first). @default {Infinity} */
  readonly transcriptLimit?: number;
}

/** Options of {@linkcode FakeDaemon.inProcess}: the daemon's, plus the `KclProcess` session's. */
export interface InProcessOptions extends FakeDaemonOptions {
  /** Options of the `KclProcess` (retry policies, `skipFailedBatches`, a `log` function, …). */
  readonly session?: InProcessSessionOptions;
}

/** Options of {@linkcode FakeDaemon.spawn}: the daemon's, plus the child's environment and folder. */
export interface ChildOptions extends FakeDaemonOptions, SpawnOptions {}

/** The fields of `initialize`; each has a realistic default. */
export interface InitializeOptions {
  /** The shard. @default {"shardId-000000000000"} */
  readonly shardId?: string;
  /** The lease's checkpoint: digits or a sentinel. @default {"TRIM_HORIZON"} */
  readonly sequenceNumber?: string | null;
  /** The checkpoint's sub-sequence number. @default {0} */
  readonly subSequenceNumber?: number | null;
}

/** Options of {@linkcode FakeDaemon.processRecords}. */
export interface ProcessRecordsOptions {
  /** How far behind the tip of the stream the batch is. @default {0} */
  readonly millisBehindLatest?: number | null;
}

/** One checkpoint request the child made during an action, and the daemon's answer. */
export interface CheckpointOutcome {
  /** As requested (`null`: the largest permitted position). */
  readonly sequenceNumber: string | null;
  /** As requested (`null` or absent: 0). */
  readonly subSequenceNumber: number | null;
  /** The exception name answered, or `null` when the checkpoint was stored. */
  readonly error: string | null;
}

/** What happened during one action. */
export interface ActionResult {
  /** The action sent. */
  readonly action: string;
  /** The `responseFor` of the child's status. */
  readonly responseFor: string;
  /** The checkpoint requests of the action, in order, with their answers. */
  readonly checkpoints: readonly CheckpointOutcome[];
  /** Violations found during the action. */
  readonly violations: readonly Violation[];
  /** The stored checkpoint once the action was answered. */
  readonly checkpoint: CheckpointPosition | null;
  /** Milliseconds from sending the action to reading its status. */
  readonly durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const STDERR_TAIL = 50;
const STATUS_KEYS: ReadonlySet<string> = new Set(["action", "responseFor"]);
const CHECKPOINT_KEYS: ReadonlySet<string> = new Set(["action", "sequenceNumber", "subSequenceNumber", "error"]);

interface Failure {
  readonly error: FakeDaemonError;
}

/**
 * Plays the MultiLangDaemon for one shard's child: an in-process
 * `RecordProcessor` ({@linkcode FakeDaemon.inProcess}) or any command
 * ({@linkcode FakeDaemon.spawn}), through the same scenario methods.
 *
 * Each scenario method sends one action, plays the daemon until the child's
 * status (executing checkpoint requests as the real checkpointer does) and
 * returns what happened. Lines the real daemon would skip, and shard ends
 * without a `SHARD_END` checkpoint, are {@linkcode Violation}s; a silent child
 * fails the step after `timeoutMs` with the last stderr lines.
 *
 * @example Test a record processor in a few lines
 * ```ts
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) seen.push(record.text());
 *     await checkpointer.checkpoint();
 *   },
 * });
 * const records = new RecordBuilder().build(["a", "b"]);
 * await daemon.initialize();
 * const batch = await daemon.processRecords(records);
 * assert.deepEqual(batch.checkpoints, [{ sequenceNumber: null, subSequenceNumber: null, error: null }]);
 * assert.equal(daemon.checkpoint?.sequenceNumber, records[1]?.sequenceNumber);
 * await daemon.shardEnded();
 * assert.equal(await daemon.end(), 0);
 * assert.deepEqual(seen, ["a", "b"]);
 * daemon.assertNoViolations();
 * ```
 *
 * @example Inject faults: throttled checkpoints are retried by the library
 * ```ts
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = FakeDaemon.inProcess(
 *   { processRecords: ({ checkpointer }) => checkpointer.checkpoint() },
 *   { faults: { lineEnding: "\r\n", shuffleKeys: true }, session: { checkpointRetry: { baseDelayMs: 1 } } },
 * );
 * await daemon.initialize();
 * daemon.failNextCheckpoints(2, "ThrottlingException");
 * const batch = await daemon.processRecords(new RecordBuilder().build(["x"]));
 * assert.deepEqual(batch.checkpoints.map((c) => c.error), ["ThrottlingException", "ThrottlingException", null]);
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * ```
 *
 * @example Test any consumer command
 * ```ts ignore
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 *
 * const daemon = await FakeDaemon.spawn("deno", ["run", "consumer.ts"]);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build([{ type: "click" }]));
 * await daemon.shardEnded();
 * await daemon.end();
 * daemon.assertNoViolations();
 * ```
 */
export class FakeDaemon {
  /**
   * The faults in force; change them between actions. Checkpoint failures are
   * injected with {@linkcode FakeDaemon.failNextCheckpoints}.
   */
  readonly faults: FaultOptions;
  readonly #transport: DaemonTransport;
  readonly #timeoutMs: number;
  readonly #encoder: MessageEncoder;
  readonly #ledger = new CheckpointLedger();
  readonly #onStderr: ((line: string) => void) | undefined;
  readonly #transcriptLimit: number;
  readonly #transcript: TranscriptEntry[] = [];
  readonly #violations: Violation[] = [];
  readonly #stderr: string[] = [];
  readonly #started = Date.now();
  readonly #pumped: Promise<void>;
  #queue: string[] = [];
  #wake: (() => void) | undefined;
  #outputEnded = false;
  /** The action being sent or answered (a second one is refused). */
  #busy: string | null = null;
  /** The action whose window is open: the child's lines belong to it. */
  #inFlight: string | null = null;
  #lastAction: string | null = null;
  #actionViolations: Violation[] | undefined;
  #failure: Failure | undefined;
  #ended = false;
  #failCheckpoints: { count: number; error: string } = { count: 0, error: "" };

  /**
   * Drives `transport` (use {@linkcode FakeDaemon.inProcess} or
   * {@linkcode FakeDaemon.spawn} unless you bring your own transport).
   *
   * @param transport the child's lines in and out
   * @param options timeouts, faults, stderr and transcript handling
   */
  constructor(transport: DaemonTransport, options: FakeDaemonOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.faults = { ...options.faults };
    this.#encoder = new MessageEncoder(this.faults);
    this.#onStderr = options.onStderr;
    this.#transcriptLimit = options.transcriptLimit ?? Infinity;
    this.#pumped = this.#pump();
  }

  /**
   * Runs `processor` in this process, in a `KclProcess` over in-memory
   * streams: the library's real protocol code, without a child process.
   *
   * @example Drive a processor in process
   * ```ts
   * import { FakeDaemon } from "@kcl/multilang/testing";
   * import assert from "node:assert/strict";
   *
   * const daemon = FakeDaemon.inProcess({ processRecords() {} });
   * assert.equal((await daemon.initialize({ shardId: "shardId-000000000007" })).responseFor, "initialize");
   * await daemon.leaseLost();
   * assert.equal(await daemon.end(), 0);
   * ```
   */
  static inProcess(processor: RecordProcessor, options: InProcessOptions = {}): FakeDaemon {
    const stderr = new StderrBuffer();
    const daemon = new FakeDaemon(inProcessTransport(processor, options.session ?? {}, stderr.push), options);
    stderr.attach((line) => daemon.#stderrLine(line));
    return daemon;
  }

  /**
   * Starts `command` with `args` (no shell) as the child, as the real daemon
   * starts `executableName`.
   *
   * @example Spawn a consumer
   * ```ts ignore
   * import { FakeDaemon } from "@kcl/multilang/testing";
   *
   * const daemon = await FakeDaemon.spawn("node", ["consumer.ts"], { timeoutMs: 5000 });
   * await daemon.initialize();
   * await daemon.leaseLost();
   * console.error("exit code", await daemon.end());
   * ```
   */
  static async spawn(command: string, args: readonly string[] = [], options: ChildOptions = {}): Promise<FakeDaemon> {
    const stderr = new StderrBuffer();
    const daemon = new FakeDaemon(await childTransport(command, args, options, stderr.push), options);
    stderr.attach((line) => daemon.#stderrLine(line));
    return daemon;
  }

  /** Every line exchanged so far, both directions (see `transcriptLimit`). */
  get transcript(): readonly TranscriptEntry[] {
    return this.#transcript;
  }

  /** Every violation found so far. */
  get violations(): readonly Violation[] {
    return this.#violations;
  }

  /** The last lines the child wrote to stderr (up to 50). */
  get stderr(): readonly string[] {
    return this.#stderr;
  }

  /** The checkpoint stored in the (fake) lease table; `null` before `initialize`. */
  get checkpoint(): CheckpointPosition | null {
    return this.#ledger.stored;
  }

  /** The last record delivered by `processRecords`, or `null`. */
  get lastDelivered(): CheckpointPosition | null {
    return this.#ledger.lastDelivered;
  }

  /**
   * Answers the next `count` checkpoint requests with the exception `error`
   * instead of executing them (the child's retries count too).
   *
   * @example Fail one checkpoint
   * ```ts
   * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
   * import assert from "node:assert/strict";
   *
   * const daemon = FakeDaemon.inProcess({
   *   async processRecords({ checkpointer }) {
   *     await assert.rejects(checkpointer.checkpoint(), { code: "InvalidStateException" });
   *   },
   * });
   * await daemon.initialize();
   * daemon.failNextCheckpoints(1, "InvalidStateException");
   * const batch = await daemon.processRecords(new RecordBuilder().build(["x"]));
   * assert.equal(batch.checkpoints[0]?.error, "InvalidStateException");
   * assert.equal(daemon.checkpoint?.sequenceNumber, "TRIM_HORIZON");
   * await daemon.leaseLost();
   * await daemon.end();
   * ```
   */
  failNextCheckpoints(count: number, error = "ThrottlingException"): void {
    this.#failCheckpoints = { count: Math.max(0, Math.floor(count)), error };
  }

  /** Sends `initialize`; the lease's checkpoint becomes the stored checkpoint. */
  initialize(options: InitializeOptions = {}): Promise<ActionResult> {
    return this.action({
      action: "initialize",
      shardId: options.shardId ?? "shardId-000000000000",
      sequenceNumber: options.sequenceNumber === undefined ? "TRIM_HORIZON" : options.sequenceNumber,
      subSequenceNumber: options.subSequenceNumber === undefined ? 0 : options.subSequenceNumber,
    });
  }

  /**
   * Sends a batch (build records with {@linkcode RecordBuilder}); during the
   * action, a null checkpoint means the batch's last record.
   */
  processRecords(records: readonly RecordMessage[], options: ProcessRecordsOptions = {}): Promise<ActionResult> {
    return this.action({
      action: "processRecords",
      records: records.map((record) => ({
        data: record.data,
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp,
        subSequenceNumber: record.subSequenceNumber,
        action: "record",
      })),
      millisBehindLatest: options.millisBehindLatest === undefined ? 0 : options.millisBehindLatest,
    });
  }

  /** Sends `shardEnded`; the child must checkpoint `SHARD_END` (a null checkpoint), else a violation. */
  shardEnded(): Promise<ActionResult> {
    return this.action({ action: "shardEnded" });
  }

  /** Sends `leaseLost`; checkpoints fail with `InvalidStateException`. */
  leaseLost(): Promise<ActionResult> {
    return this.action({ action: "leaseLost" });
  }

  /** Sends `shutdownRequested`; a null checkpoint means the last record delivered. */
  shutdownRequested(): Promise<ActionResult> {
    return this.action({ action: "shutdownRequested" });
  }

  /**
   * Sends the KCL 1.x `shutdown`: `TERMINATE` (shard end: `SHARD_END` required),
   * `ZOMBIE` (lease lost: checkpoints fail with `ShutdownException`) or `REQUESTED`.
   */
  shutdown(reason: "TERMINATE" | "ZOMBIE" | "REQUESTED"): Promise<ActionResult> {
    return this.action({ action: "shutdown", reason });
  }

  /**
   * Sends any message as an action (an action a future daemon may add, or a
   * hand-made one) and plays the daemon until its status.
   *
   * @example Send an action this library does not know
   * ```ts
   * import { FakeDaemon } from "@kcl/multilang/testing";
   * import assert from "node:assert/strict";
   *
   * const daemon = FakeDaemon.inProcess({ processRecords() {} });
   * assert.equal((await daemon.action({ action: "futureAction", x: 1 })).responseFor, "futureAction");
   * await daemon.end();
   * ```
   */
  async action(message: Readonly<Record<string, unknown>>): Promise<ActionResult> {
    const name = String(message.action);
    this.#assertCanStart(name);
    this.#busy = name;
    const violations: Violation[] = [];
    const checkpoints: CheckpointOutcome[] = [];
    try {
      // Let lines already in the pipe arrive first: written after the last
      // status, they are reported as outside an action.
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#inFlight = name;
      this.#actionViolations = violations;
      const started = Date.now();
      this.#openWindow(message);
      for (const garbage of this.#encoder.garbage()) await this.#send(garbage, name, started);
      await this.#send(this.#encoder.encode(message), name, started);
      for (;;) {
        const line = await this.#nextLine(name, started);
        if (line === "") continue; // The real daemon skips empty lines.
        const value = this.#parse(line, name);
        if (value === undefined) continue;
        if (value.action === "checkpoint") {
          const outcome = this.#checkpointRequest(value, line, name);
          if (outcome === undefined) continue;
          checkpoints.push(outcome);
          await this.#reply(outcome, name, started);
          continue;
        }
        const responseFor = this.#status(value, line, name);
        if (responseFor === undefined) continue;
        if (message.action === "shardEnded" || (message.action === "shutdown" && message.reason === "TERMINATE")) {
          this.#checkShardEnd(name);
        }
        this.#lastAction = name;
        this.#flagLinesAfterStatus(name);
        return {
          action: name,
          responseFor,
          checkpoints,
          violations,
          checkpoint: this.#ledger.stored,
          durationMs: Date.now() - started,
        };
      }
    } finally {
      this.#ledger.close();
      this.#inFlight = null;
      this.#busy = null;
      this.#actionViolations = undefined;
    }
  }

  /**
   * Closes the child's stdin (end of the session, as the daemon does after the
   * final status) and resolves with its exit code (`null` when a signal ended
   * it). Fails with `exit-timeout` if it does not exit within `timeoutMs`.
   */
  async end(): Promise<number | null> {
    if (this.#busy !== null) {
      throw new FakeDaemonError(
        "busy",
        `Cannot end the session: ${this.#busy} is still in flight (missing await?)`,
        this.#busy,
      );
    }
    this.#ended = true;
    await this.#transport.closeInput();
    const code = await this.#waitForExit();
    // Lines still in the pipe are recorded (and violations found) before returning.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#pumped, new Promise((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)))]);
    clearTimeout(timer);
    return code;
  }

  /** Stops the child now and waits for it to exit (cleanup after a failed test). */
  async kill(): Promise<void> {
    this.#ended = true;
    this.#transport.kill();
    await this.#transport.exited().catch(() => null);
  }

  /**
   * Throws a `violations` {@linkcode FakeDaemonError} listing every violation
   * found so far, with the offending lines; does nothing when there is none.
   */
  assertNoViolations(): void {
    if (this.#violations.length === 0) return;
    throw new FakeDaemonError(
      "violations",
      `The child broke the protocol ${this.#violations.length} time(s):\n${formatViolations(this.#violations)}`,
    );
  }

  /** The transcript as text: `> ` lines from the daemon, `< ` lines from the child. */
  formatTranscript(): string {
    return formatTranscript(this.#transcript);
  }

  #assertCanStart(name: string): void {
    if (this.#busy !== null) {
      throw new FakeDaemonError(
        "busy",
        `Cannot send ${name}: ${this.#busy} is still in flight; the daemon sends one action at a time (missing await?)`,
        name,
      );
    }
    if (this.#failure !== undefined) {
      throw new FakeDaemonError(
        "ended",
        `Cannot send ${name}: the session already failed (${this.#failure.error.message.split("\n")[0]})`,
        name,
      );
    }
    if (this.#ended) throw new FakeDaemonError("ended", `Cannot send ${name}: the session has ended`, name);
  }

  #openWindow(message: Readonly<Record<string, unknown>>): void {
    const ledger = this.#ledger;
    let window: CheckpointWindow = "none";
    let shardEnd = false;
    switch (message.action) {
      case "initialize": {
        const sequenceNumber = message.sequenceNumber;
        const sub = typeof message.subSequenceNumber === "number" ? message.subSequenceNumber : 0;
        ledger.initialize(
          typeof sequenceNumber === "string" && isComparable(sequenceNumber)
            ? { sequenceNumber, subSequenceNumber: sub }
            : null,
        );
        break;
      }
      case "processRecords": {
        const records = Array.isArray(message.records) ? message.records as RecordMessage[] : [];
        const last = records.at(-1);
        ledger.deliver(
          last === undefined
            ? undefined
            : { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber ?? 0 },
        );
        window = "permitted";
        break;
      }
      case "shardEnded":
        window = "permitted";
        shardEnd = true;
        break;
      case "shutdownRequested":
        window = "permitted";
        break;
      case "shutdown":
        window = message.reason === "ZOMBIE" ? "lost" : "permitted";
        shardEnd = message.reason === "TERMINATE";
        break;
    }
    ledger.open(window, shardEnd);
  }

  async #send(line: string, action: string, started: number): Promise<void> {
    this.#record("daemon", line);
    try {
      await this.#transport.write(line + this.#encoder.lineEnding);
    } catch {
      throw await this.#exitedError(action, started, "its stdin closed");
    }
  }

  #parse(line: string, action: string): Record<string, unknown> | undefined {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.#violation(
        "invalid-json",
        "The child wrote a line that is not JSON on stdout; the real daemon skips it, and a partial line " +
          "glues onto the next one (keep stdout for protocol lines only)",
        line,
        action,
      );
      return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value) || !("action" in value)) {
      this.#violation(
        "not-a-message",
        'The child wrote JSON that is not an object with an "action"; the real daemon skips it',
        line,
        action,
      );
      return undefined;
    }
    const message = value as Record<string, unknown>;
    if (message.action !== "checkpoint" && message.action !== "status") {
      this.#violation(
        "unexpected-action",
        `The child wrote a message with action ${
          JSON.stringify(message.action)
        }; the daemon only reads "status" and "checkpoint" and skips it`,
        line,
        action,
      );
      return undefined;
    }
    return message;
  }

  #checkpointRequest(message: Record<string, unknown>, line: string, action: string): CheckpointOutcome | undefined {
    if (!this.#knownKeys(message, CHECKPOINT_KEYS, "checkpoint", line, action)) return undefined;
    const { sequenceNumber, subSequenceNumber } = message;
    if (sequenceNumber !== undefined && sequenceNumber !== null && typeof sequenceNumber !== "string") {
      this.#violation(
        "invalid-field",
        `The child wrote a checkpoint whose sequenceNumber is ${
          JSON.stringify(sequenceNumber)
        }; it must be a string of digits or null (a number loses digits); the line is skipped`,
        line,
        action,
      );
      return undefined;
    }
    if (subSequenceNumber !== undefined && subSequenceNumber !== null && !Number.isSafeInteger(subSequenceNumber)) {
      this.#violation(
        "invalid-field",
        `The child wrote a checkpoint whose subSequenceNumber is ${
          JSON.stringify(subSequenceNumber)
        }; it must be an integer or null; the line is skipped`,
        line,
        action,
      );
      return undefined;
    }
    const request = {
      sequenceNumber: (sequenceNumber ?? null) as string | null,
      subSequenceNumber: (subSequenceNumber ?? null) as number | null,
    };
    let error: string | null;
    if (this.#failCheckpoints.count > 0) {
      this.#failCheckpoints.count--;
      error = this.#failCheckpoints.error;
    } else {
      error = this.#ledger.execute(request.sequenceNumber, request.subSequenceNumber);
    }
    return { ...request, error };
  }

  async #reply(outcome: CheckpointOutcome, action: string, started: number): Promise<void> {
    const delay = this.faults.checkpointDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await this.#send(
      this.#encoder.encode({
        action: "checkpoint",
        sequenceNumber: outcome.sequenceNumber,
        subSequenceNumber: outcome.subSequenceNumber,
        error: outcome.error,
      }),
      action,
      started,
    );
  }

  #status(message: Record<string, unknown>, line: string, action: string): string | undefined {
    if (!this.#knownKeys(message, STATUS_KEYS, "status", line, action)) return undefined;
    const responseFor = message.responseFor;
    if (typeof responseFor !== "string") {
      this.#violation(
        "invalid-field",
        `The child wrote a status whose responseFor is ${
          JSON.stringify(responseFor) ?? "missing"
        }; it must be the action's name; the line is skipped`,
        line,
        action,
      );
      return undefined;
    }
    if (responseFor !== action) {
      this.#violation(
        "wrong-response-for",
        `The child answered ${action} with a status for ${
          JSON.stringify(responseFor)
        }; the real daemon exits, stopping every shard of the worker`,
        line,
        action,
      );
    }
    return responseFor;
  }

  #knownKeys(
    message: Record<string, unknown>,
    known: ReadonlySet<string>,
    kind: string,
    line: string,
    action: string,
  ): boolean {
    const unknown = Object.keys(message).filter((key) => !known.has(key));
    if (unknown.length === 0) return true;
    this.#violation(
      "unknown-key",
      `The child wrote a ${kind} with unknown key(s) ${
        unknown.map((key) => JSON.stringify(key)).join(", ")
      }; the real daemon skips the line and waits forever (allowed: ${[...known].join(", ")})`,
      line,
      action,
    );
    return false;
  }

  /** Lines already read behind the status were written after it: the next action would read them. */
  #flagLinesAfterStatus(action: string): void {
    for (const line of this.#queue) {
      if (line === "") continue;
      this.#violation(
        "line-outside-action",
        `The child wrote a line after the status for ${action}, while no action was in flight; the real daemon ` +
          "reads it during the next action, with that action's checkpointer (a late null checkpoint commits records " +
          "not yet processed)",
        line,
        action,
      );
    }
  }

  #checkShardEnd(action: string): void {
    const stored = this.#ledger.stored;
    if (stored !== null && stored.sequenceNumber === SHARD_END.sequenceNumber) return;
    this.#violation(
      "missing-shard-end-checkpoint",
      `The child answered ${action} without a successful SHARD_END checkpoint (a checkpoint with ` +
        `sequenceNumber null; the stored checkpoint is ${
          formatPosition(stored)
        }); the real shard stays stuck and its children are never processed`,
      null,
      action,
    );
  }

  async #nextLine(action: string, started: number): Promise<string> {
    for (;;) {
      const line = this.#queue.shift();
      if (line !== undefined) return line;
      if (this.#outputEnded) throw await this.#exitedError(action, started, "it closed its stdout");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const woke = await new Promise<boolean>((resolve) => {
        this.#wake = () => resolve(true);
        timer = setTimeout(() => resolve(false), this.#timeoutMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
      if (!woke) throw this.#fail(this.#timeoutError(action, started));
    }
  }

  #timeoutError(action: string, started: number): FakeDaemonError {
    this.#transport.kill();
    const violations = this.#actionViolations ?? [];
    const skipped = violations.length === 0
      ? ""
      : `\nLines the real daemon would have skipped meanwhile:\n${formatViolations(violations)}`;
    return new FakeDaemonError(
      "timeout",
      `Cannot complete ${action}: the child wrote no line for ${this.#timeoutMs} ms (${
        Date.now() - started
      } ms after the action was sent) and was stopped; a status {"action":"status","responseFor":"${action}"} ` +
        `was expected${skipped}${this.#stderrTail()}${this.#lastLines()}`,
      action,
    );
  }

  async #exitedError(action: string, started: number, what: string): Promise<FakeDaemonError> {
    let exit: string;
    try {
      const code = await Promise.race([
        this.#transport.exited(),
        new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 2000)),
      ]);
      exit = code === "running"
        ? "is still running"
        : code === null
        ? "was killed by a signal"
        : `exited with code ${code}`;
    } catch (error) {
      return this.#fail(
        new FakeDaemonError("child-exited", `Cannot send ${action}: ${(error as Error).message}`, action),
      );
    }
    return this.#fail(
      new FakeDaemonError(
        "child-exited",
        `Cannot complete ${action}: the child ${exit}, and ${what} before answering (${
          Date.now() - started
        } ms after the action was sent); the real daemon would exit, stopping every shard of the worker` +
          `${this.#stderrTail()}${this.#lastLines()}`,
        action,
      ),
    );
  }

  async #waitForExit(): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((
      resolve,
    ) => (timer = setTimeout(() => resolve("timeout"), this.#timeoutMs)));
    try {
      const code = await Promise.race([this.#transport.exited(), timeout]);
      if (code !== "timeout") return code;
    } finally {
      clearTimeout(timer);
    }
    this.#transport.kill();
    throw this.#fail(
      new FakeDaemonError(
        "exit-timeout",
        `Cannot end the session: the child did not exit within ${this.#timeoutMs} ms after its stdin closed, and was ` +
          `stopped; a child must exit promptly on stdin EOF, whatever timers are left${this.#stderrTail()}`,
        this.#lastAction,
      ),
    );
  }

  #fail(error: FakeDaemonError): FakeDaemonError {
    this.#failure ??= { error };
    return error;
  }

  #stderrTail(): string {
    const tail = this.#stderr.slice(-10);
    return tail.length === 0
      ? "\nThe child wrote nothing to stderr."
      : `\nLast stderr lines of the child:\n${tail.map((line) => `  | ${line}`).join("\n")}`;
  }

  #lastLines(): string {
    const last = this.#transcript.slice(-6);
    return last.length === 0 ? "" : `\nLast lines exchanged:\n${formatTranscript(last, 200)}`;
  }

  async #pump(): Promise<void> {
    try {
      for await (const line of this.#transport.lines()) this.#arrive(line);
    } catch {
      // A broken stdout is reported as the child's exit by the action waiting for it.
    }
    this.#outputEnded = true;
    this.#wake?.();
  }

  #arrive(line: string): void {
    this.#record("child", line);
    if (this.#inFlight === null && line !== "") {
      const after = this.#lastAction === null ? "before the first action" : `after the status for ${this.#lastAction}`;
      this.#violation(
        "line-outside-action",
        `The child wrote a line ${after}, while no action was in flight; the real daemon reads it during the ` +
          "next action, with that action's checkpointer (a late null checkpoint commits records not yet processed)",
        line,
        this.#lastAction,
      );
      if (this.#ended) return;
    }
    this.#queue.push(line);
    this.#wake?.();
  }

  #violation(kind: ViolationKind, message: string, line: string | null, action: string | null): void {
    const violation: Violation = { kind, message, line, action };
    this.#violations.push(violation);
    this.#actionViolations?.push(violation);
  }

  #record(from: "daemon" | "child", line: string): void {
    this.#transcript.push({ from, line, at: Date.now() - this.#started });
    if (this.#transcript.length > this.#transcriptLimit) this.#transcript.shift();
  }

  #stderrLine(line: string): void {
    this.#stderr.push(line);
    if (this.#stderr.length > STDERR_TAIL) this.#stderr.shift();
    this.#onStderr?.(line);
  }
}

/** Holds stderr lines that arrive before the daemon that records them exists. */
class StderrBuffer {
  #early: string[] = [];
  #sink: ((line: string) => void) | undefined;

  readonly push = (line: string): void => {
    if (this.#sink === undefined) this.#early.push(line);
    else this.#sink(line);
  };

  attach(sink: (line: string) => void): void {
    this.#sink = sink;
    for (const line of this.#early) sink(line);
    this.#early = [];
  }
}
