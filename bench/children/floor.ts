/**
 * The floor: the least any correct KCL child does. It splits stdin into
 * lines, `JSON.parse`s each, decodes every record's base64 data and answers
 * checkpoints and statuses, with the most direct I/O each runtime offers and
 * no library, no validation, no promises per record.
 *
 * `--hold-batch` keeps each batch reachable until its status is written, as
 * any async `processRecords` that awaits its checkpoint does: the same
 * floor, shaped like a consumer of an async API (see the README on W1
 * memory).
 *
 * `--guard` also does the stdout guard's work at start (what `run()` does
 * before the first action: console methods to stderr, every stdout writer
 * patched — on Bun and Node that builds `process.stdout`), so that the
 * guard's start-up cost is measured on its own.
 *
 * `--microtask` writes every reply from a microtask queued by the `data`
 * callback instead of inside it, as a handler's `await checkpoint()` does:
 * on Node the write then comes after the stream's own bookkeeping (W2, W3).
 *
 * `--api` shapes the floor like a consumer of our API, with nothing else of
 * the library: each batch's records as objects with a lazy `data` getter,
 * handed to `bench/children/ours.ts`'s async handler, whose checkpoint is a
 * promise settled by the reply, and the status sent when the handler's
 * promise settles. What the API's shape costs in a runtime, apart from the
 * library (W5; bench/README.md, "The API's own cost").
 *
 * Usage: `<runtime> bench/children/floor.ts [--every-record] [--hold-batch] [--guard] [--microtask] [--api]`.
 *
 * @module
 */

interface Record_ {
  data: string | null;
  sequenceNumber: string;
  subSequenceNumber?: number | null;
}

interface Message {
  action: string;
  records?: Record_[];
}

interface DenoLike {
  args: string[];
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { writeSync(bytes: Uint8Array): number };
}

interface BunLike {
  stdin: { stream(): ReadableStream<Uint8Array> };
  stdout: { writer(): { write(text: string): unknown; flush(): unknown } };
  stderr: { writer(): { write(text: string): unknown; flush(): unknown } };
  write(destination: unknown, data: unknown): Promise<number>;
}

interface NodeStdin {
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
}

interface NodeProcess {
  argv: string[];
  stdin: NodeStdin;
  stdout: { write(text: string): boolean };
  stderr: { write(text: string): boolean };
}

interface BufferLike {
  from(text: string, encoding: "base64"): Uint8Array;
}

const globals = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike; process?: NodeProcess; Buffer?: BufferLike };
const deno = globals.Deno;
const args = deno !== undefined ? deno.args : globals.process!.argv.slice(2);
const everyRecord = args.includes("--every-record");
const holdBatch = args.includes("--hold-batch");
const guard = args.includes("--guard");
const microtask = args.includes("--microtask");
const api = args.includes("--api");

const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
const decodeBase64: (text: string) => Uint8Array = native !== undefined
  ? native.bind(Uint8Array)
  : (text) => globals.Buffer!.from(text, "base64");

const encoder = new TextEncoder();
/** Bun: its own sink, flushed at once (its Node `process.stdout` costs ~12 ms to build on first touch). */
function bunWrite(bun: BunLike): (text: string) => void {
  const sink = bun.stdout.writer();
  return (text) => {
    sink.write(text);
    sink.flush();
  };
}
const writeNow: (text: string) => void = deno !== undefined
  ? (text) => {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) offset += deno.stdout.writeSync(bytes.subarray(offset));
  }
  : globals.Bun !== undefined
  ? bunWrite(globals.Bun)
  : nodeWrite(globals.process!);

const write: (text: string) => void = microtask ? (text) => queueMicrotask(() => writeNow(text)) : writeNow;

/** Node: the real `process.stdout.write`, bound before the guard may patch it. */
function nodeWrite(process: NodeProcess): (text: string) => void {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout);
  return (text) => void write(text);
}

/** The work of `run()`'s stdout guard, done the same way, after the real writer was captured. */
function guardStdout(): void {
  const error = console.error.bind(console);
  const methods = ["log", "info", "debug", "dir", "dirxml", "table", "trace", "count", "group", "groupCollapsed"];
  for (const name of [...methods, "groupEnd", "time", "timeLog", "timeEnd", "countReset"]) {
    (console as unknown as Record<string, unknown>)[name] = error;
  }
  if (deno !== undefined) {
    // Deno: the real guard patches `Deno.stdout` and leaves `process` lazy.
    const stdout = deno.stdout as unknown as Record<string, unknown>;
    stdout.writeSync = (bytes: Uint8Array) => bytes.length;
    stdout.write = (bytes: Uint8Array) => Promise.resolve(bytes.length);
    return;
  }
  const process = globals.process!;
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (text: string) => stderr(text);
  const bun = globals.Bun;
  if (bun !== undefined) {
    const write = bun.write.bind(bun);
    bun.write = (destination, data) => write(destination === bun.stdout ? bun.stderr : destination, data);
    bun.stdout.writer = () => bun.stderr.writer();
  }
}
if (guard) guardStdout();

const decoder = new TextDecoder();
let pending: Uint8Array[] = [];
let pendingLength = 0;
let inFlight = "";
let queue: Record_[] = [];
let queued = 0;
let held: Record_[] | undefined;
let decodedBytes = 0;

function onChunk(chunk: Uint8Array): void {
  let start = 0;
  let newline = chunk.indexOf(10);
  while (newline !== -1) {
    let bytes = chunk.subarray(start, newline);
    if (pending.length > 0) {
      const joined = new Uint8Array(pendingLength + bytes.length);
      let offset = 0;
      for (const part of pending) {
        joined.set(part, offset);
        offset += part.length;
      }
      joined.set(bytes, offset);
      bytes = joined;
      pending = [];
      pendingLength = 0;
    }
    if (bytes.length > 0) onLine(decoder.decode(bytes));
    start = newline + 1;
    newline = chunk.indexOf(10, start);
  }
  if (start < chunk.length) {
    // Copy: some runtimes reuse the chunk's buffer.
    const rest = chunk.slice(start);
    pending.push(rest);
    pendingLength += rest.length;
  }
}

/** `--api`: a record as the API hands it over (`data` decoded on first read). */
class ApiRecord {
  readonly #message: Record_;
  #data: Uint8Array | undefined;
  constructor(message: Record_) {
    this.#message = message;
  }
  get data(): Uint8Array {
    return this.#data ??= decodeBase64(this.#message.data ?? "");
  }
  static messageOf(record: ApiRecord): Record_ {
    return record.#message;
  }
}

/** `--api`: the checkpoint awaiting its reply. */
let settleCheckpoint: (() => void) | undefined;
const checkpointer = {
  checkpoint(record: ApiRecord): Promise<void> {
    const { sequenceNumber, subSequenceNumber } = ApiRecord.messageOf(record);
    write(
      `{"action":"checkpoint","sequenceNumber":"${sequenceNumber}","subSequenceNumber":${subSequenceNumber ?? 0}}\n`,
    );
    return new Promise((resolve) => (settleCheckpoint = resolve));
  },
};

type ApiCheckpointer = typeof checkpointer;

/** `--api`: `bench/children/ours.ts`'s handler. */
async function processRecords(
  { records, checkpointer }: { records: ApiRecord[]; checkpointer: ApiCheckpointer },
): Promise<void> {
  for (const record of records) {
    decodedBytes += record.data.length;
    if (everyRecord) await checkpointer.checkpoint(record);
  }
  const last = records.at(-1);
  if (!everyRecord && last !== undefined) await checkpointer.checkpoint(last);
}

const answerBatch = () => write('{"action":"status","responseFor":"processRecords"}\n');

function onLine(line: string): void {
  const message = JSON.parse(line) as Message;
  if (api && message.action === "checkpoint") return settleCheckpoint!();
  if (api && message.action === "processRecords") {
    const records = (message.records ?? []).map((record) => new ApiRecord(record));
    void processRecords({ records, checkpointer }).then(answerBatch);
    return;
  }
  switch (message.action) {
    case "checkpoint":
      return next();
    case "processRecords": {
      const records = message.records ?? [];
      for (const record of records) {
        if (record.data !== null) decodedBytes += decodeBase64(record.data).length;
      }
      inFlight = "processRecords";
      queue = everyRecord ? records : records.slice(-1);
      if (holdBatch) held = records;
      queued = 0;
      return next();
    }
    case "shardEnded":
      inFlight = message.action;
      write('{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null}\n');
      return;
    default:
      write(`{"action":"status","responseFor":${JSON.stringify(message.action)}}\n`);
  }
}

/** Sends the next queued checkpoint, or the status once none is left. */
function next(): void {
  const record = queue[queued++];
  if (record === undefined) {
    held = undefined;
    write(`{"action":"status","responseFor":"${inFlight}"}\n`);
    return;
  }
  write(
    `{"action":"checkpoint","sequenceNumber":"${record.sequenceNumber}","subSequenceNumber":${
      record.subSequenceNumber ?? 0
    }}\n`,
  );
}

if (deno !== undefined) {
  // One reused buffer (a byte stream's BYOB read): a default reader zero-fills a fresh 64 KiB per read.
  const reader = deno.stdin.readable.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(64 * 1024);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    onChunk(value);
    buffer = value.buffer as ArrayBuffer;
  }
} else if (globals.Bun !== undefined) {
  for await (const chunk of globals.Bun.stdin.stream()) onChunk(chunk);
} else {
  globals.process!.stdin.on("data", onChunk);
}
// Keep the decode observable so no runtime can drop it.
if (decodedBytes < 0 || held?.length === -1) write("");

// A module (top-level await), though it exports nothing.
export {};
