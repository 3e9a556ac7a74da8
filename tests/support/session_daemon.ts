/**
 * An in-memory daemon for the session tests: it drives a `KclProcess` over
 * Web Streams, but, unlike the FakeDaemon of `./testing`, records every line
 * the child writes **at the moment it is written** (the output sink is ours),
 * so a test can tell "nothing was written yet" from "written but not read
 * yet". It answers checkpoint requests through a callback, so each test
 * decides the replies; it also sends raw bytes and captures the session's log
 * events.
 */

import {
  KclProcess,
  type KclProcessOptions,
  type KclProcessResult,
  type LogFields,
  type LogLevel,
  type RecordProcessor,
} from "../../mod.ts";
import { encodePayload } from "../../src/testing/record_builder.ts";
import { memoryTransport, type TransportKind } from "./memory_transports.ts";

/** A checkpoint request as the child wrote it. */
export interface CheckpointRequest {
  sequenceNumber: string | null;
  subSequenceNumber: number | null;
}

/** Decides the `error` of the reply to a checkpoint request (`null` = success). */
export type CheckpointAnswer = (request: CheckpointRequest) => string | null | Promise<string | null>;

/** What one action produced. */
export interface ActionOutcome {
  /** Every line the child wrote during the action, in order, status last. */
  lines: string[];
  /** The checkpoint requests among them. */
  checkpoints: CheckpointRequest[];
  /** The status's `responseFor`. */
  responseFor: string;
}

/**
 * A wire record, any field overridable (`null`s and wrong types included: the
 * session tests feed malformed records that `RecordBuilder` deliberately cannot build).
 */
export function wireRecord(
  sequenceNumber: string,
  data: string | Uint8Array = `record ${sequenceNumber}`,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    data: encodePayload(data),
    partitionKey: `pk-${sequenceNumber}`,
    sequenceNumber,
    approximateArrivalTimestamp: 1700000000123,
    subSequenceNumber: 0,
    action: "record",
    ...extra,
  };
}

/** The exact initialize line a daemon writes. */
export function initializeMessage(
  shardId = "shardId-000000000000",
  sequenceNumber: string | null = "TRIM_HORIZON",
): Record<string, unknown> {
  return { action: "initialize", shardId, sequenceNumber, subSequenceNumber: 0 };
}

/** A processRecords action. */
export function processRecordsMessage(
  records: Record<string, unknown>[],
  millisBehindLatest: number | null = 0,
): Record<string, unknown> {
  return { action: "processRecords", records, millisBehindLatest };
}

/** One log event of the session. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
}

/** Options of {@linkcode SessionDaemon.start}. */
export type SessionOptions = Omit<KclProcessOptions, "transport" | "input" | "output" | "log"> & {
  /** Replaces the recording output (e.g. one that fails); lines are then not recorded. Streams only. */
  output?: WritableStream<Uint8Array>;
  /** Which transport the session runs over. @default {"streams"} */
  transport?: TransportKind;
};

const encoder = new TextEncoder();

/** A promise with its resolve/reject exposed: the event a test waits on. */
export interface Signal<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** Creates a {@linkcode Signal}. */
export function signal<T = void>(): Signal<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class SessionDaemon {
  /** Every line the child wrote, in order, as it was written. */
  readonly written: string[] = [];
  /** Every log event of the session. */
  readonly logs: LogEntry[] = [];
  /** How the session ended. */
  readonly result: Promise<KclProcessResult>;
  readonly #input: WritableStreamDefaultWriter<Uint8Array>;
  #read = 0;
  #partial = "";
  #closed = false;
  #wake: (() => void) | undefined;
  #barriers = 0;
  #logged: (() => void) | undefined;

  private constructor(processor: RecordProcessor, options: SessionOptions) {
    const toChild = new TransformStream<Uint8Array, Uint8Array>();
    this.#input = toChild.writable.getWriter();
    const record = (text: string) => {
      const lines = (this.#partial + text).split("\n");
      this.#partial = lines.pop() ?? "";
      this.written.push(...lines);
      this.#notify();
    };
    const { output, transport: kind = "streams", ...rest } = options;
    const transport = output === undefined
      ? memoryTransport(kind, toChild.readable, record)
      : memoryTransport(kind, toChild.readable, output);
    const session = new KclProcess(processor, {
      ...rest,
      transport,
      log: (level, message, fields) => {
        this.logs.push({ level, message, fields });
        const logged = this.#logged;
        this.#logged = undefined;
        logged?.();
      },
    });
    this.result = session.run();
    // The session closes its transport before it resolves: the daemon stops reading then.
    this.result.finally(() => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** Starts a session of `processor` against this daemon. */
  static start(processor: RecordProcessor, options: SessionOptions = {}): SessionDaemon {
    return new SessionDaemon(processor, options);
  }

  /** {@linkcode SessionDaemon.start} over transports of `kind`. */
  static over(kind: TransportKind): (processor: RecordProcessor, options?: SessionOptions) => SessionDaemon {
    return (processor, options = {}) => new SessionDaemon(processor, { transport: kind, ...options });
  }

  /** Lines written by the child and not yet consumed by {@linkcode nextLine}. */
  get unread(): readonly string[] {
    return this.written.slice(this.#read);
  }

  /** Writes one raw line to the child (`\n` appended unless `ending` says otherwise). */
  async send(line: string, ending = "\n"): Promise<void> {
    await this.#input.write(encoder.encode(line + ending));
  }

  /** Writes raw bytes to the child. */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.#input.write(bytes);
  }

  /** The next line the child writes, or `null` once its output ended. */
  async nextLine(): Promise<string | null> {
    while (this.#read >= this.written.length) {
      if (this.#closed) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.written[this.#read++]!;
  }

  /**
   * Sends an action and plays the daemon until its status: each checkpoint
   * request is answered in order with `answer`'s error (`null` = success).
   */
  async action(
    message: Record<string, unknown> | string,
    answer: CheckpointAnswer = () => null,
  ): Promise<ActionOutcome> {
    await this.send(typeof message === "string" ? message : JSON.stringify(message));
    const outcome: ActionOutcome = { lines: [], checkpoints: [], responseFor: "" };
    for (;;) {
      const line = await this.nextLine();
      if (line === null) {
        const result = await this.result;
        throw new Error(`The session ended before the status: ${result.error?.message}`);
      }
      outcome.lines.push(line);
      const reply = JSON.parse(line);
      if (reply.action === "status") {
        outcome.responseFor = reply.responseFor;
        return outcome;
      }
      if (reply.action !== "checkpoint") throw new Error(`Unexpected line from the child: ${line}`);
      const request = { sequenceNumber: reply.sequenceNumber, subSequenceNumber: reply.subSequenceNumber };
      outcome.checkpoints.push(request);
      const error = await answer(request);
      await this.send(JSON.stringify({ action: "checkpoint", ...request, error }));
    }
  }

  /**
   * A definite event for a check that something did **not** happen: sends
   * `count` lines that are not daemon messages, each after the session
   * skipped the one before (it logs a warning for each), so that the session
   * has read and handled input the daemon sent after everything before. A
   * premature write would have come first; never wait on a timer for it.
   */
  async barrier(count = 3): Promise<void> {
    for (let i = 0; i < count; i++) {
      const mark = `barrier ${++this.#barriers}`;
      await this.send(mark);
      while (!this.logs.some((entry) => entry.fields?.line === mark)) {
        if (this.#closed) throw new Error("The session ended before it read the barrier line");
        await new Promise<void>((resolve) => (this.#logged = resolve));
      }
    }
  }

  /** Closes the child's input and waits for the session's result. */
  async end(): Promise<KclProcessResult> {
    await this.#input.close().catch(() => {});
    return await this.result;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
