/**
 * The fake MultiLangDaemon: the daemon's side of the wire, exactly as the
 * real one plays it (one action at a time, checkpoints executed in order and
 * answered once each, the real checkpointer's validation), but stricter where
 * the real one would hang or die silently.
 *
 * The pieces: `playAction` plays one action, `readChildLine` judges
 * each line, `CheckpointLedger` is the lease table, `ChildOutput` reads the
 * child and `SessionRecord` keeps what was seen; this class holds them
 * together behind the scenario methods.
 *
 * @module
 */

import type { RecordProcessor } from "../session/record_processor.ts";
import type { RecordMessage } from "../protocol/messages.ts";
import { lineOutsideAction, missingShardEnd, playAction } from "./_action_loop.ts";
import type { ActionResult, CheckpointOutcome, ExecutedCheckpoint } from "./action_result.ts";
import { CheckpointLedger } from "./_checkpoint_ledger.ts";
import type { CheckpointPosition } from "./checkpoint_position.ts";
import { endsShard, openCheckpointWindow } from "./_checkpoint_window.ts";
import { describeExit, exitWithin } from "./_child_exit.ts";
import { ChildOutput } from "./_child_output.ts";
import { childTransport } from "./_child_transport.ts";
import { FakeDaemonError } from "./fake_daemon_error.ts";
import type {
  ChildOptions,
  FakeDaemonOptions,
  InitializeOptions,
  InProcessOptions,
  ProcessRecordsOptions,
} from "./fake_daemon_options.ts";
import { type FaultOptions, InjectedCheckpointFailures, MessageEncoder } from "./faults.ts";
import { inProcessTransport } from "./_in_process_transport.ts";
import { SessionRecord, StderrBuffer } from "./_session_record.ts";
import { formatTranscript, type TranscriptEntry } from "./transcript.ts";
import type { DaemonTransport } from "./transport.ts";
import { formatViolations, type Violation } from "./violation.ts";

const DEFAULT_TIMEOUT_MS = 10_000;

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
 * @example Test any consumer command (an illustration: `consumer.ts` is yours)
 * ```ts ignore
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = await FakeDaemon.spawn("deno", ["run", "consumer.ts"]);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build([{ type: "click" }]));
 * await daemon.shardEnded();
 * assert.equal(await daemon.end(), 0);
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
  readonly #failures = new InjectedCheckpointFailures();
  readonly #onCheckpoint: ((checkpoint: ExecutedCheckpoint) => void) | undefined;
  readonly #record: SessionRecord;
  readonly #output: ChildOutput;
  /** The action being sent or answered (a second one is refused). */
  #busy: string | null = null;
  /** The action in flight: the child's lines belong to it. */
  #inFlight: string | null = null;
  #lastAction: string | null = null;
  /** The first failed step: the session is over, later steps are refused with its reason. */
  #failure: FakeDaemonError | undefined;
  #ended = false;

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
    this.#onCheckpoint = options.onCheckpoint;
    this.#record = new SessionRecord(options.transcriptLimit ?? Infinity, options.onStderr);
    this.#output = new ChildOutput(transport.lines(), (line) => this.#arrive(line));
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
    stderr.attach((line) => daemon.#record.stderrLine(line));
    return daemon;
  }

  /**
   * Starts `command` with `args` (no shell) as the child, as the real daemon
   * starts `executableName`. On Deno, the test needs `--allow-run --allow-env`
   * (`deno test --allow-run --allow-env`); without them `spawn`, or the first
   * action, fails with one line naming these flags.
   *
   * @example Spawn a child that exits on stdin EOF
   * ```ts
   * import { FakeDaemon } from "@kcl/multilang/testing";
   * import assert from "node:assert/strict";
   *
   * // A minimal child in sh: answers initialize and leaseLost, exits 3 when its stdin closes.
   * const answer = `while read -r line; do
   *   case "$line" in
   *     *'"initialize"'*) echo '{"action":"status","responseFor":"initialize"}' ;;
   *     *'"leaseLost"'*) echo '{"action":"status","responseFor":"leaseLost"}' ;;
   *   esac
   * done
   * exit 3`;
   * const daemon = await FakeDaemon.spawn("/bin/sh", ["-c", answer]);
   * assert.equal(typeof daemon.pid, "number");
   * await daemon.initialize();
   * await daemon.leaseLost();
   * assert.equal(await daemon.end(), 3);
   * ```
   */
  static async spawn(command: string, args: readonly string[] = [], options: ChildOptions = {}): Promise<FakeDaemon> {
    const stderr = new StderrBuffer();
    const daemon = new FakeDaemon(await childTransport(command, args, options, stderr.push), options);
    stderr.attach((line) => daemon.#record.stderrLine(line));
    return daemon;
  }

  /** Every line exchanged so far, both directions (see `transcriptLimit`). */
  get transcript(): readonly TranscriptEntry[] {
    return this.#record.transcript;
  }

  /** Every violation found so far. */
  get violations(): readonly Violation[] {
    return this.#record.violations;
  }

  /** The last lines the child wrote to stderr (up to 50); every one of them once `end()` resolved. */
  get stderr(): readonly string[] {
    return this.#record.stderr;
  }

  /**
   * The child's process id, to send it a signal as a terminal or a supervisor
   * would (`process.kill(daemon.pid, "SIGTERM")`); `undefined` for an
   * in-process session or a transport without a process.
   */
  get pid(): number | undefined {
    return this.#transport.pid;
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
    this.#failures.set(count, error);
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
    try {
      // Let lines already in the pipe arrive first: written after the last
      // status, they are reported as outside an action.
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#inFlight = name;
      const violations = this.#record.collectForAction();
      const started = Date.now();
      openCheckpointWindow(this.#ledger, message);
      const reply = await playAction(message, {
        faults: this.faults,
        encoder: this.#encoder,
        send: (line) => this.#send(line, name, started),
        nextLine: () => this.#nextLine(name, started, violations),
        execute: (sequenceNumber, subSequenceNumber) => this.#execute(name, sequenceNumber, subSequenceNumber),
        report: (violation) => this.#record.violation(violation),
      });
      if (endsShard(message)) this.#report(missingShardEnd(this.#ledger.stored, name));
      this.#lastAction = name;
      // Lines already read behind the status were written after it: the next action would read them.
      for (const line of this.#output.unread) {
        if (line !== "") this.#report(lineOutsideAction(line, `after the status for ${name}`, name));
      }
      return {
        action: name,
        responseFor: reply.responseFor,
        checkpoints: reply.checkpoints,
        violations,
        checkpoint: this.#ledger.stored,
        durationMs: Date.now() - started,
      };
    } finally {
      this.#ledger.close();
      this.#inFlight = null;
      this.#busy = null;
      this.#record.stopCollecting();
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
    const code = await exitWithin(this.#transport, this.#timeoutMs);
    if (code === "timeout") {
      this.#transport.kill();
      throw this.#fail(
        new FakeDaemonError(
          "exit-timeout",
          `Cannot end the session: the child did not exit within ${this.#timeoutMs} ms after its stdin closed, and ` +
            `was stopped; a child must exit promptly on stdin EOF, whatever timers are left${
              this.#record.context(false)
            }`,
          this.#lastAction,
        ),
      );
    }
    // Lines still in the pipe are recorded (and violations found) before returning.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#output.closed, new Promise((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)))]);
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
    const violations = this.#record.violations;
    if (violations.length === 0) return;
    throw new FakeDaemonError(
      "violations",
      `The child broke the protocol ${violations.length} time(s):\n${formatViolations(violations)}`,
    );
  }

  /** The transcript as text: `> ` lines from the daemon, `< ` lines from the child. */
  formatTranscript(): string {
    return formatTranscript(this.#record.transcript);
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
        `Cannot send ${name}: the session already failed (${this.#failure.message.split("\n")[0]})`,
        name,
      );
    }
    if (this.#ended) throw new FakeDaemonError("ended", `Cannot send ${name}: the session has ended`, name);
  }

  async #send(line: string, action: string, started: number): Promise<void> {
    this.#record.line("daemon", line);
    try {
      await this.#transport.write(line + this.#encoder.lineEnding);
    } catch {
      throw await this.#exitedError(action, started, "its stdin closed");
    }
  }

  async #nextLine(action: string, started: number, skipped: readonly Violation[]): Promise<string> {
    const next = await this.#output.next(this.#timeoutMs);
    if (typeof next === "string") return next;
    if (next.ended === "closed") throw await this.#exitedError(action, started, "it closed its stdout");
    this.#transport.kill();
    throw this.#fail(
      new FakeDaemonError(
        "timeout",
        `Cannot complete ${action}: the child wrote no line for ${this.#timeoutMs} ms (${
          Date.now() - started
        } ms after the action was sent) and was stopped; a status {"action":"status","responseFor":"${action}"} ` +
          `was expected${
            skipped.length === 0
              ? ""
              : `\nLines the real daemon would have skipped meanwhile:\n${formatViolations(skipped)}`
          }${this.#record.context()}`,
        action,
      ),
    );
  }

  #execute(action: string, sequenceNumber: string | null, subSequenceNumber: number | null): CheckpointOutcome {
    const error = this.#failures.take() ?? this.#ledger.execute(sequenceNumber, subSequenceNumber);
    const outcome = { sequenceNumber, subSequenceNumber, error };
    this.#onCheckpoint?.({ ...outcome, action, stored: this.#ledger.stored });
    return outcome;
  }

  async #exitedError(action: string, started: number, what: string): Promise<FakeDaemonError> {
    let exit: string;
    try {
      exit = await describeExit(this.#transport);
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
          this.#record.context(),
        action,
      ),
    );
  }

  #fail(error: FakeDaemonError): FakeDaemonError {
    this.#failure ??= error;
    return error;
  }

  #report(violation: Violation | null): void {
    if (violation !== null) this.#record.violation(violation);
  }

  /** Records each line as it arrives; says whether an action may still read it. */
  #arrive(line: string): boolean {
    this.#record.line("child", line);
    if (this.#inFlight === null && line !== "") {
      const after = this.#lastAction === null ? "before the first action" : `after the status for ${this.#lastAction}`;
      this.#report(lineOutsideAction(line, after, this.#lastAction));
      if (this.#ended) return false;
    }
    return true;
  }
}
