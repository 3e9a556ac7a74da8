/**
 * The session state machine: reads the daemon's lines, runs the record
 * processor for each action, and answers with exactly one status per action.
 * Runtime-free: it reads and writes through a `SessionTransport` only.
 *
 * @module
 */

import { encodeStatus } from "../protocol/encode_reply.ts";
import type {
  ActionMessage,
  InitializeMessage,
  ProcessRecordsMessage,
  UnknownActionMessage,
} from "../protocol/messages.ts";
import { DEFAULT_MAX_LINE_LENGTH, lineTooLong } from "../protocol/line_splitter.ts";
import { parseMessage } from "../protocol/parse_message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { type BatchContext, type BatchPolicy, settleBatch } from "./_batch_policy.ts";
import { describeError } from "./describe_error.ts";
import { CheckpointChannel, type CheckpointWindow, writeFailed } from "./_checkpoint_channel.ts";
import { isLeaseGone } from "./checkpoint_error.ts";
import type { LogFields, LogFunction } from "./logger.ts";
import { createRecords, type KinesisRecord } from "./record.ts";
import type { ProcessRecordsInput, RecordProcessor } from "./record_processor.ts";
import { resolveRetry, type RetryOptions } from "./retry.ts";
import type { SequencePosition } from "./sequence.ts";
import { streamTransport } from "./stream_transport.ts";
import type { SessionTransport } from "./transport.ts";

/**
 * Options of {@linkcode KclProcess}.
 *
 * @example Log a session to an array
 * ```ts
 * import { createLogger, KclProcess, type KclProcessOptions } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const options: KclProcessOptions = {
 *   input: new ReadableStream({ start: (controller) => controller.close() }),
 *   output: new WritableStream(),
 *   log: createLogger((line) => lines.push(line)),
 * };
 * await new KclProcess({ processRecords() {} }, options).run();
 * assert.match(lines[0] ?? "", /INFO kcl: Input ended/);
 * ```
 */
export interface KclProcessOptions {
  /** How the session reads the daemon's lines and writes its replies (or give `input` and `output`). */
  readonly transport?: SessionTransport;
  /** The daemon's lines (the child's stdin), with `output`: wrapped by `streamTransport`. */
  readonly input?: ReadableStream<Uint8Array>;
  /** Where replies go (the child's stdout), with `input`. Nothing else may write to it. */
  readonly output?: WritableStream<Uint8Array>;
  /**
   * Longest line accepted from the daemon, in characters (UTF-16 code
   * units), over any transport: a longer one fails the session with a
   * `ProtocolError` of kind `line-too-long`.
   *
   * @default {256 MiB}
   */
  readonly maxLineLength?: number;
  /**
   * Decodes a record's base64 payload (standard, padded), throwing on
   * malformed input. `run()` passes the runtime's fastest (Node's `Buffer`
   * before Node 26).
   *
   * @default {`Uint8Array.fromBase64` where the platform has it, else a portable decoder}
   */
  readonly decodeBase64?: (base64: string) => Uint8Array;
  /** Where log events go. @default {no logging} */
  readonly log?: LogFunction;
  /**
   * Retries of checkpoints the daemon answers with `ThrottlingException` or
   * `KinesisClientLibDependencyException`.
   *
   * @default {{ attempts: 6, baseDelayMs: 200, maxDelayMs: 10000 }}
   */
  readonly checkpointRetry?: RetryOptions;
  /**
   * Retries of a `processRecords` handler that throws, with the same batch.
   *
   * @default {{ attempts: 1 }} (no retry)
   */
  readonly processRecordsRetry?: RetryOptions;
  /**
   * What happens when `processRecords` still throws after its retries.
   * `false` (default): no status, the session fails, the process exits
   * non-zero; the real daemon then stops its worker, and a restarted worker resumes the shard from the last checkpoint —
   * nothing is lost. `true`: log the error and answer the action anyway; the
   * batch is **skipped** and is lost unless a later checkpoint stays below it.
   *
   * @default {false}
   */
  readonly skipFailedBatches?: boolean;
}

/**
 * How a session ended.
 *
 * @example A daemon that sends a malformed action
 * ```ts
 * import { KclProcess, type KclProcessResult, ProtocolError } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const line = '{"action":"initialize","shardId":42}\n';
 * const result: KclProcessResult = await new KclProcess({ processRecords() {} }, {
 *   input: new ReadableStream({
 *     start(controller) {
 *       controller.enqueue(new TextEncoder().encode(line));
 *       controller.close();
 *     },
 *   }),
 *   output: new WritableStream(),
 * }).run();
 * assert.equal(result.exitCode, 1);
 * assert.ok(result.error instanceof ProtocolError && result.error.kind === "invalid-message");
 * ```
 */
export interface KclProcessResult {
  /** 0 when the session ended cleanly (stdin closed between actions), else 1. */
  readonly exitCode: 0 | 1;
  /** The shard, once `initialize` arrived. */
  readonly shardId: string | null;
  /** The last action answered with a status. */
  readonly lastAction: string | null;
  /** Why the session failed, when `exitCode` is 1. */
  readonly error: Error | null;
}

const CHECKPOINT_RETRY = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };
const PROCESS_RECORDS_RETRY = { attempts: 1, baseDelayMs: 500, maxDelayMs: 30_000 };
const noLog: LogFunction = () => {};
const PROCESS_RECORDS_STATUS = encodeStatus("processRecords");

/**
 * A KCL record-processor session over a {@linkcode SessionTransport} (or a
 * pair of Web Streams). `run()` (the module's default entry) gives it the
 * runtime's native stdio; tests and embedders use it directly.
 *
 * @example Drive a session from an in-memory daemon
 * ```ts
 * import { KclProcess } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const actions = [
 *   '{"action":"initialize","shardId":"shardId-0","sequenceNumber":"TRIM_HORIZON","subSequenceNumber":0}',
 *   '{"action":"leaseLost"}',
 * ];
 * const replies: string[] = [];
 * let statusReceived = () => {};
 * // Like the real daemon: send one action, then wait for its status.
 * const input = new ReadableStream<Uint8Array>({
 *   async pull(controller) {
 *     const action = actions.shift();
 *     if (action === undefined) return controller.close();
 *     controller.enqueue(new TextEncoder().encode(action + "\n"));
 *     await new Promise<void>((resolve) => (statusReceived = resolve));
 *   },
 * });
 * const output = new WritableStream<Uint8Array>({
 *   write(chunk) {
 *     replies.push(new TextDecoder().decode(chunk));
 *     statusReceived();
 *   },
 * });
 * const result = await new KclProcess({ processRecords() {} }, { input, output }).run();
 * assert.equal(result.exitCode, 0);
 * assert.deepEqual(replies, [
 *   '{"action":"status","responseFor":"initialize"}\n',
 *   '{"action":"status","responseFor":"leaseLost"}\n',
 * ]);
 * ```
 */
export class KclProcess {
  readonly #processor: RecordProcessor;
  readonly #transport: SessionTransport;
  /** The options' log, each event tagged with the shard. */
  readonly #log: LogFunction;
  readonly #batchPolicy: BatchPolicy;
  readonly #channel: CheckpointChannel;
  readonly #decodeBase64: ((base64: string) => Uint8Array) | undefined;
  readonly #maxLineLength: number;
  #started = false;
  #shardId: string | null = null;
  #inFlight: string | null = null;
  #lastAction: string | null = null;
  #lastDelivered: SequencePosition | undefined;
  #failure: Error | undefined;
  #stop: () => void = () => {};
  /** The batch in flight: its checkpoint window, first record and size (its last is `#lastDelivered`). */
  #batchWindow: CheckpointWindow | undefined;
  #batchFirst: KinesisRecord | undefined;
  #batchCount = 0;
  /** The batch's handler is done: the status goes out once its window closed (at once when nothing is pending). */
  readonly #onBatchHandled = (): void => {
    const settling = this.#channel.settled(this.#batchWindow!);
    if (settling === undefined) return this.#answer("processRecords", PROCESS_RECORDS_STATUS);
    settling.then(() => this.#answer("processRecords", PROCESS_RECORDS_STATUS), this.#onFailure);
  };
  readonly #onBatchFailed = (error: unknown): void => this.#batchFailed(error);
  readonly #onFailure = (error: Error): void => this.#fail(error);

  /**
   * Creates a session; nothing is read until {@linkcode KclProcess.run}.
   *
   * @param processor the user's record processor
   * @param options the transport (or streams), logging and retry policies
   */
  constructor(processor: RecordProcessor, options: KclProcessOptions) {
    if (typeof processor?.processRecords !== "function") {
      throw new TypeError("Cannot create KclProcess: the processor has no processRecords method");
    }
    this.#processor = processor;
    this.#transport = transportOf(options);
    this.#decodeBase64 = options.decodeBase64;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    const log = options.log ?? noLog;
    this.#log = (level, message, fields) => {
      try {
        log(level, message, this.#fields(fields));
      } catch {
        // A log that fails must not break the protocol: the session goes on without it.
      }
    };
    this.#batchPolicy = {
      retry: resolveRetry(options.processRecordsRetry, PROCESS_RECORDS_RETRY),
      skipFailedBatches: options.skipFailedBatches === true,
    };
    this.#channel = new CheckpointChannel({
      output: this.#transport,
      retry: resolveRetry(options.checkpointRetry, CHECKPOINT_RETRY),
      log: this.#log,
    });
  }

  /**
   * Runs the session until the input ends or a fatal error, then closes the
   * output; never exits the process. Resolves with how it ended; does not
   * reject.
   */
  async run(): Promise<KclProcessResult> {
    if (this.#started) throw new Error("Cannot run a KclProcess twice");
    this.#started = true;
    await new Promise<void>((finished) => {
      let stopInput = () => {};
      // A failure (in a line or in an action) stops reading and ends the session.
      this.#stop = () => {
        stopInput();
        finished();
      };
      try {
        const maxLineLength = this.#maxLineLength;
        stopInput = this.#transport.read({
          maxLineLength,
          line: this.#onLine,
          end: (error) => {
            if (this.#failure !== undefined) return;
            if (error !== undefined) this.#fail(asError(error));
            else this.#endOfInput();
            finished();
          },
        });
      } catch (error) {
        this.#fail(new Error(`Cannot read the daemon's input: ${describeError(error)}`, { cause: error }));
      }
      if (this.#failure !== undefined) stopInput();
    });
    if (this.#failure !== undefined) this.#channel.end("the session failed");
    await this.#transport.close().catch(() => {});
    const error = this.#failure ?? null;
    return { exitCode: error === null ? 0 : 1, shardId: this.#shardId, lastAction: this.#lastAction, error };
  }

  /**
   * One line from the daemon (the listener's `line`). Small on purpose, and one function: runtimes compile per
   * function, on every small action's path; the rare paths are apart.
   */
  readonly #onLine = (line: string): void => {
    // Untested: lines a transport delivers from the same chunk after a failure.
    if (this.#failure !== undefined || line === "") return;
    // A transport that splits without the cap hands over what the cap refuses.
    if (line.length > this.#maxLineLength) return this.#fail(lineTooLong(this.#maxLineLength, line));
    let message;
    try {
      message = parseMessage(line);
    } catch (error) {
      return this.#unparsed(error);
    }
    if (message.action === "checkpoint") {
      try {
        this.#channel.receive(message);
      } catch (error) {
        this.#fail(asError(error));
      }
      return;
    }
    if (this.#inFlight !== null) return this.#overlapping(message, line);
    if (message.action !== "processRecords") return this.#start(message);
    // The small action's path, in this one function (runtimes tier up per function, and JSC waits longer before
    // optimizing a bigger one: most of W5's small actions then run without paying for compiling it; bench/README.md,
    // "Fourth pass"). The batch goes to the handler and answers itself once the handler and its checkpoints are
    // done, with no async frame and no promise of its own: nothing suspended holds the message or the records, and
    // the status goes out in the turn the handler's promise settles.
    this.#inFlight = "processRecords";
    const records = createRecords(message.records, this.#decodeBase64);
    const count = records.length;
    const last = count > 0 ? records[count - 1] : undefined;
    // The last record is its own position (its message stays reachable until the next batch's).
    if (last !== undefined) this.#lastDelivered = last;
    const window = this.#channel.open("processRecords", this.#lastDelivered);
    let input: ProcessRecordsInput | undefined = {
      records,
      millisBehindLatest: message.millisBehindLatest,
      checkpointer: window.checkpointer,
    };
    let first: Promise<void>;
    try {
      first = Promise.resolve(this.#processor.processRecords(input));
    } catch (error) {
      first = Promise.reject(error);
    }
    // Keep the batch only when a retry may need it, so that a handler that
    // lets go of it lets it be collected while its checkpoint is in flight.
    const kept = this.#batchPolicy.retry.attempts > 1 ? input : undefined;
    input = undefined;
    // One batch is in flight at a time: its state lives here until its status, and the callbacks are made once.
    this.#batchWindow = window;
    this.#batchFirst = records[0];
    this.#batchCount = count;
    // No retry: the handler's own promise leads straight to the status; a failure takes the policy's path.
    if (kept === undefined) first.then(this.#onBatchHandled, this.#onBatchFailed);
    else this.#retrying(first, kept);
  };

  /** Starts any action but `processRecords`, and answers it once done. */
  #start(message: Exclude<ActionMessage, ProcessRecordsMessage> | UnknownActionMessage): void {
    const name = message.action === "unknown" ? message.name : message.action;
    this.#inFlight = name;
    this.#dispatch(message).then(
      () => this.#answer(name, encodeStatus(name)),
      (error: Error) => this.#fail(error),
    );
  }

  /** A line `parseMessage` refused: skipped when it is no daemon message at all, else the session fails. */
  #unparsed(error: unknown): void {
    if (error instanceof ProtocolError && error.kind === "not-a-message") {
      this.#log("warn", "Skipping a line that is not a daemon message", { line: error.line });
      return;
    }
    this.#fail(asError(error));
  }

  /** An action sent while another is in flight: the session fails. */
  #overlapping(message: ActionMessage | UnknownActionMessage, line: string): void {
    const name = message.action === "unknown" ? message.name : message.action;
    this.#fail(
      new ProtocolError(
        "unexpected-message",
        `Cannot start ${name}: the daemon sent it while ${this.#inFlight} is still in flight`,
        line,
      ),
    );
  }

  #dispatch(message: Exclude<ActionMessage, ProcessRecordsMessage> | UnknownActionMessage): Promise<void> {
    switch (message.action) {
      case "initialize":
        return this.#initialize(message);
      case "leaseLost":
        return this.#leaseLost();
      case "shardEnded":
        return this.#shardEnded();
      case "shutdownRequested":
        return this.#shutdownRequested();
      case "shutdown":
        // KCL 1.x: same meaning, but the status must say "shutdown".
        if (message.reason === "TERMINATE") return this.#shardEnded();
        if (message.reason === "ZOMBIE") return this.#leaseLost();
        return this.#shutdownRequested();
      case "unknown":
        this.#log("warn", "Answering an action this version does not know", { action: message.name });
        return Promise.resolve();
    }
  }

  async #initialize(message: InitializeMessage): Promise<void> {
    this.#shardId = message.shardId;
    const { sequenceNumber, subSequenceNumber } = message;
    this.#log("info", "Initializing", { sequenceNumber, subSequenceNumber });
    try {
      await this.#processor.initialize?.({ shardId: message.shardId, sequenceNumber, subSequenceNumber });
    } catch (error) {
      throw new Error(`Cannot initialize shard ${message.shardId}: ${describeError(error)}`, { cause: error });
    }
  }

  /** A batch that may be retried: the policy settles it. */
  #retrying(first: Promise<void>, input: ProcessRecordsInput): void {
    settleBatch(first, () => this.#processor.processRecords(input), this.#batchPolicy, this.#batchContext()).then(
      this.#onBatchHandled,
      this.#onFailure,
    );
  }

  /** The batch in flight, for its messages: its ends and size, not its records. */
  #batchContext(): BatchContext {
    const first = this.#batchFirst;
    const count = this.#batchCount;
    const last = count > 0 ? this.#lastDelivered as KinesisRecord : undefined;
    return { first, last, count, shardId: this.#shardId, log: this.#log };
  }

  /** The batch's handler failed (no retry configured): the policy decides between the status and failing. */
  #batchFailed(error: unknown): void {
    settleBatch(Promise.reject(error), () => {}, this.#batchPolicy, this.#batchContext()).then(
      this.#onBatchHandled,
      this.#onFailure,
    );
  }

  async #leaseLost(): Promise<void> {
    this.#channel.end("the lease was lost");
    try {
      await this.#processor.leaseLost?.({});
    } catch (error) {
      // The lease is gone: nothing can be lost by answering anyway.
      this.#log("error", "leaseLost handler failed", { error });
    }
  }

  async #shardEnded(): Promise<void> {
    const window = this.#channel.open("shardEnded", undefined);
    try {
      await this.#processor.shardEnded?.({ checkpointer: window.checkpointer });
      await this.#channel.drain();
      // Without the null (SHARD_END) checkpoint the shard's children are never processed.
      if (!window.nullCheckpointed) await this.#channel.request(window);
    } catch (error) {
      if (!isLeaseGone(error)) {
        throw new Error(`Cannot complete the end of shard ${this.#shardId}: ${describeError(error)}`, {
          cause: error,
        });
      }
      this.#log("warn", "The lease was lost at shard end; another worker completes it");
    }
    await this.#channel.settled(window);
  }

  async #shutdownRequested(): Promise<void> {
    const window = this.#channel.open("shutdownRequested", this.#lastDelivered);
    try {
      await this.#processor.shutdownRequested?.({ checkpointer: window.checkpointer });
    } catch (error) {
      // Answering is safe: the next owner resumes from the last checkpoint.
      this.#log("error", "shutdownRequested handler failed", { error });
    }
    await this.#channel.settled(window);
  }

  /** Writes `status`, the line that answers `action`. */
  #answer(action: string, status: string): void {
    if (this.#failure !== undefined) return;
    this.#inFlight = null;
    this.#lastAction = action;
    // Straight to the transport, as the channel's requests go.
    let written: void | Promise<void>;
    try {
      written = this.#transport.writeLine(status);
    } catch (error) {
      return this.#fail(writeFailed(error));
    }
    written?.catch((error: unknown) => this.#fail(writeFailed(error)));
    try {
      this.#transport.actionAnswered?.();
    } catch (error) {
      this.#fail(asError(error));
    }
  }

  #endOfInput(): void {
    if (this.#inFlight !== null) {
      this.#fail(new Error(`Cannot finish ${this.#inFlight}: the daemon closed the input while it was in flight`));
      return;
    }
    // Requests still deferred can never be sent now.
    this.#channel.end("the daemon closed the input");
    this.#log("info", "Input ended", { lastAction: this.#lastAction });
  }

  #fail(error: Error): void {
    // Untested: a second failure racing the first.
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#log("error", error.message, { error: error.cause instanceof Error ? error.cause : undefined });
    this.#stop();
  }

  #fields(fields?: LogFields): LogFields {
    return this.#shardId === null ? fields ?? {} : { shardId: this.#shardId, ...fields };
  }
}

function transportOf(options: KclProcessOptions): SessionTransport {
  const { transport, input, output } = options;
  if (transport !== undefined && input === undefined && output === undefined) return transport;
  if (transport === undefined && input !== undefined && output !== undefined) return streamTransport(input, output);
  throw new TypeError("Cannot create KclProcess: pass either a transport, or an input and an output stream");
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
