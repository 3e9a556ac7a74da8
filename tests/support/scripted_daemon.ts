/**
 * A minimal daemon for the library's own tests: it plays the
 * MultiLangDaemon's side of the wire step by step, over in-memory streams
 * (driving a `KclProcess`) or over a real child's pipes. It answers
 * checkpoint requests through a callback so each test decides the replies.
 */

import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { KclProcess, type KclProcessOptions, type KclProcessResult, type RecordProcessor } from "../../mod.ts";

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

const encoder = new TextEncoder();

/** Splits a byte stream into lines (test-side; independent of the library's splitter). */
async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let index;
    while ((index = buffer.indexOf("\n")) !== -1) {
      yield buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

export class ScriptedDaemon {
  /** Every line in both directions: `> ` daemon to child, `< ` child to daemon. */
  readonly transcript: string[] = [];
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncGenerator<string>;
  readonly #finished: Promise<number>;
  /** Child stderr (child mode only). */
  stderr = "";
  /** Sends a signal to the child (child mode only). */
  kill: (signal: "SIGINT" | "SIGTERM") => void = () => {
    throw new Error("Cannot send a signal: this daemon drives no child process");
  };

  private constructor(
    input: WritableStream<Uint8Array>,
    output: ReadableStream<Uint8Array>,
    finished: Promise<number>,
  ) {
    this.#writer = input.getWriter();
    this.#lines = linesOf(output);
    this.#finished = finished;
  }

  /** Drives `processor` in this process through a `KclProcess`. */
  static inProcess(
    processor: RecordProcessor,
    options: Omit<KclProcessOptions, "input" | "output"> = {},
  ): ScriptedDaemon & { result: Promise<KclProcessResult> } {
    const toChild = new TransformStream<Uint8Array, Uint8Array>();
    const fromChild = new TransformStream<Uint8Array, Uint8Array>();
    const session = new KclProcess(processor, { ...options, input: toChild.readable, output: fromChild.writable });
    const result = session.run();
    const daemon = new ScriptedDaemon(toChild.writable, fromChild.readable, result.then((r) => r.exitCode));
    return Object.assign(daemon, { result });
  }

  /** Runs `command` as a child process with piped stdio. */
  static spawn(command: string, args: string[], env?: Record<string, string>): ScriptedDaemon {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: env ?? globalThis.process.env });
    const finished = new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code ?? -1));
    });
    const daemon = new ScriptedDaemon(
      Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
      finished,
    );
    // process.kill, not child.kill: Deno's child.kill sends one signal only and then reports the child as killed.
    daemon.kill = (signal) => void globalThis.process.kill(child.pid ?? 0, signal);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => (daemon.stderr += text));
    return daemon;
  }

  /** Writes one raw line (a `\n` is appended unless `ending` says otherwise). */
  async send(line: string, ending = "\n"): Promise<void> {
    this.transcript.push(`> ${line}`);
    await this.#writer.write(encoder.encode(line + ending));
  }

  /** The next line from the child, or `null` at end of output. */
  async nextLine(): Promise<string | null> {
    const next = await this.#lines.next();
    if (next.done) return null;
    this.transcript.push(`< ${next.value}`);
    return next.value;
  }

  /**
   * Sends an action and plays the daemon until its status: every checkpoint
   * request is answered (in order) with `answer`'s error, `null` by default.
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
        throw new Error(`Child closed its output before the status; transcript:\n${this.transcript.join("\n")}`);
      }
      outcome.lines.push(line);
      const reply = JSON.parse(line);
      if (reply.action === "status") {
        outcome.responseFor = reply.responseFor;
        return outcome;
      }
      if (reply.action !== "checkpoint") throw new Error(`Unexpected line from child: ${line}`);
      const request = { sequenceNumber: reply.sequenceNumber, subSequenceNumber: reply.subSequenceNumber };
      outcome.checkpoints.push(request);
      const error = await answer(request);
      await this.send(JSON.stringify({ action: "checkpoint", ...request, error }));
    }
  }

  /** Closes the child's input and waits for it to finish; returns the exit code. */
  async end(): Promise<number> {
    await this.#writer.close().catch(() => {});
    return await this.#finished;
  }

  /** Waits for the child to finish without closing its input. */
  finished(): Promise<number> {
    return this.#finished;
  }
}

/** Standard base64, in slices: spreading a large array into fromCharCode overflows the stack. */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Builds a wire record. */
export function wireRecord(
  sequenceNumber: string,
  data: string | Uint8Array = `record ${sequenceNumber}`,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return {
    data: toBase64(bytes),
    partitionKey: `pk-${sequenceNumber}`,
    sequenceNumber,
    approximateArrivalTimestamp: 1700000000123,
    subSequenceNumber: 0,
    action: "record",
    ...extra,
  };
}

/** The exact initialize line a daemon writes. */
export function initializeMessage(shardId = "shardId-000000000000", sequenceNumber: string | null = "TRIM_HORIZON") {
  return { action: "initialize", shardId, sequenceNumber, subSequenceNumber: 0 };
}

/** A processRecords action. */
export function processRecordsMessage(records: Record<string, unknown>[], millisBehindLatest: number | null = 0) {
  return { action: "processRecords", records, millisBehindLatest };
}
