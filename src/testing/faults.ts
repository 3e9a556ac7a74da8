/**
 * Fault injection on the daemon's side of the wire: things a real daemon
 * may legitimately do (CRLF line endings on Windows, any key order, keys a
 * future version adds) and things it never does but a robust child survives
 * (garbage lines, failing or slow checkpoints).
 *
 * @module
 */

/**
 * Faults a {@linkcode FakeDaemon} injects; change them at any time between actions.
 *
 * @example The library survives a noisy daemon on Windows
 * ```ts
 * import { FakeDaemon, type FaultOptions, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const faults: FaultOptions = { lineEnding: "\r\n", garbageLines: 2, unknownFields: true, seed: 7 };
 * const daemon = FakeDaemon.inProcess(
 *   { processRecords: ({ checkpointer }) => checkpointer.checkpoint() },
 *   { faults, session: { log: () => {} } },
 * );
 * await daemon.initialize();
 * daemon.faults.shuffleKeys = true;
 * daemon.faults.checkpointDelayMs = 5;
 * const records = new RecordBuilder().build(["a"]);
 * await daemon.processRecords(records);
 * assert.equal(daemon.checkpoint?.sequenceNumber, records[0]?.sequenceNumber);
 * assert.equal(daemon.transcript.filter((entry) => entry.line === "this is not JSON").length, 2);
 * await daemon.shardEnded();
 * assert.equal(await daemon.end(), 0);
 * daemon.assertNoViolations();
 * ```
 */
export interface FaultOptions {
  /** Line ending of every line sent (`"\r\n"` as a daemon on Windows writes). @default {"\n"} */
  lineEnding?: "\n" | "\r\n";
  /** Shuffle the keys of every message and record (the real daemon does not guarantee an order). */
  shuffleKeys?: boolean;
  /** Add unknown fields to every message and record, as a future daemon may. */
  unknownFields?: boolean;
  /** Lines of garbage (not JSON, empty, JSON without `action`) sent before every action. @default {0} */
  garbageLines?: number;
  /** Delay before each checkpoint reply, in milliseconds. @default {0} */
  checkpointDelayMs?: number;
  /** Seed of the key shuffle, for reproducible runs. @default {1} */
  seed?: number;
}

const GARBAGE = ["this is not JSON", "", '{"no":"action"}', "[1,2,3]", "{", "\u2028"];

/** Encodes daemon messages under the current faults. */
export class MessageEncoder {
  readonly #faults: FaultOptions;
  #state: number;

  /** @param faults the live fault options (read on every message) */
  constructor(faults: FaultOptions) {
    this.#faults = faults;
    this.#state = (faults.seed ?? 1) >>> 0 || 1;
  }

  /** The line ending in force. */
  get lineEnding(): string {
    return this.#faults.lineEnding ?? "\n";
  }

  /** One message as a line (without its ending). */
  encode(message: Readonly<Record<string, unknown>>): string {
    const reshape = this.#faults.shuffleKeys === true || this.#faults.unknownFields === true;
    return JSON.stringify(reshape ? this.#shape(message) : message);
  }

  /** The garbage lines to send before an action. */
  garbage(): string[] {
    const count = this.#faults.garbageLines ?? 0;
    return Array.from({ length: count }, (_, i) => GARBAGE[i % GARBAGE.length] ?? "");
  }

  #shape(message: Readonly<Record<string, unknown>>): Record<string, unknown> {
    let entries = Object.entries(message).map(([key, value]): [string, unknown] => [
      key,
      key === "records" && Array.isArray(value)
        ? value.map((record: Record<string, unknown>) => this.#shape(record))
        : value,
    ]);
    if (this.#faults.unknownFields === true) {
      entries.push(["kclFutureField", { added: "by a newer daemon" }], ["streamArn", null]);
    }
    if (this.#faults.shuffleKeys === true) entries = this.#shuffle(entries);
    return Object.fromEntries(entries);
  }

  /** Fisher-Yates with a small xorshift generator: reproducible from the seed. */
  #shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.#random() % (i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  #random(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
}

/** Checkpoint requests to answer with an exception instead of executing them. */
export class InjectedCheckpointFailures {
  #count = 0;
  #error = "";

  /** Fails the next `count` requests with `error` (replacing any failures still pending). */
  set(count: number, error: string): void {
    this.#count = Math.max(0, Math.floor(count));
    this.#error = error;
  }

  /** The exception to answer the next request with, or `null` to execute it. */
  take(): string | null {
    if (this.#count === 0) return null;
    this.#count--;
    return this.#error;
  }
}
