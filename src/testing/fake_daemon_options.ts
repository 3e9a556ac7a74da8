/**
 * How a {@linkcode FakeDaemon} is set up, and the fields of the actions it
 * sends.
 *
 * @module
 */

import type { KclProcessOptions } from "../session/kcl_process.ts";
import type { ExecutedCheckpoint } from "./action_result.ts";
import type { FaultOptions } from "./faults.ts";

/**
 * Options of a {@linkcode FakeDaemon}.
 *
 * @example Collect the child's log lines and keep a short transcript
 * ```ts
 * import { FakeDaemon, type FakeDaemonOptions } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const logs: string[] = [];
 * const options: FakeDaemonOptions = { timeoutMs: 2000, transcriptLimit: 2, onStderr: (line) => logs.push(line) };
 * const daemon = FakeDaemon.inProcess({ processRecords() {} }, options);
 * await daemon.initialize({ shardId: "shardId-000000000004" });
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * assert.deepEqual(daemon.transcript.map((entry) => entry.from), ["daemon", "child"]);
 * assert.equal(daemon.transcript[0]?.line, '{"action":"leaseLost"}');
 * assert.ok(logs.some((line) => line.includes("shardId-000000000004")));
 * ```
 */
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
  /**
   * Receives each checkpoint request the moment the daemon answers it, before
   * the reply reaches the child: the place to check that everything up to the
   * checkpoint was really persisted (a check made after the action's status
   * would miss a write that completed in between).
   */
  readonly onCheckpoint?: (checkpoint: ExecutedCheckpoint) => void;
  /** How many transcript entries to keep (the oldest are dropped first). @default {Infinity} */
  readonly transcriptLimit?: number;
}

/**
 * Options of {@linkcode FakeDaemon.inProcess}: the daemon's, plus the `KclProcess` session's.
 *
 * @example Skip a poison batch instead of failing the session
 * ```ts
 * import { FakeDaemon, type InProcessOptions, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const options: InProcessOptions = { session: { skipFailedBatches: true, log: () => {} } };
 * const daemon = FakeDaemon.inProcess({
 *   processRecords() {
 *     throw new Error("Cannot decode the record: poison");
 *   },
 * }, options);
 * await daemon.initialize();
 * const batch = await daemon.processRecords(new RecordBuilder().build(["poison"]));
 * assert.equal(batch.responseFor, "processRecords");
 * assert.equal(daemon.checkpoint?.sequenceNumber, "TRIM_HORIZON");
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * ```
 *
 * @example Retry a failing batch and capture the session's warnings
 * ```ts
 * import { FakeDaemon, type InProcessOptions, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const warnings: string[] = [];
 * const options: InProcessOptions = {
 *   session: {
 *     processRecordsRetry: { attempts: 2, baseDelayMs: 1 },
 *     log: (level, message) => {
 *       if (level === "warn") warnings.push(message);
 *     },
 *   },
 * };
 * let calls = 0;
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ checkpointer }) {
 *     if (++calls === 1) throw new Error("Cannot reach the database: timeout");
 *     await checkpointer.checkpoint();
 *   },
 * }, options);
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a"]));
 * assert.equal(calls, 2);
 * assert.equal(warnings.length, 1);
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * ```
 */
export interface InProcessOptions extends FakeDaemonOptions {
  /**
   * Options of the `KclProcess` (retry policies, `skipFailedBatches`, a `log`
   * function, …); its streams are the fake daemon's.
   */
  readonly session?: Omit<KclProcessOptions, "transport" | "input" | "output">;
}

/**
 * Options of {@linkcode FakeDaemon.spawn}: the daemon's, plus the child's environment and folder.
 *
 * @example Start a child in another folder, with an environment variable
 * ```ts
 * import { type ChildOptions, FakeDaemon } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 * import { realpath } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 *
 * // A minimal child in sh: answers initialize and leaseLost, exits when its stdin closes.
 * const answer = `while read -r line; do
 *   case "$line" in
 *     *'"initialize"'*) echo '{"action":"status","responseFor":"initialize"}' ;;
 *     *'"leaseLost"'*) echo '{"action":"status","responseFor":"leaseLost"}' ;;
 *   esac
 * done`;
 * const options: ChildOptions = { env: { STAGE: "test" }, cwd: tmpdir() };
 * const daemon = await FakeDaemon.spawn("/bin/sh", ["-c", `echo "stage: $STAGE" >&2\npwd >&2\n${answer}`], options);
 * await daemon.initialize();
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * assert.equal(daemon.stderr[0], "stage: test");
 * assert.equal(await realpath(daemon.stderr[1] ?? ""), await realpath(tmpdir()));
 * ```
 */
export interface ChildOptions extends FakeDaemonOptions {
  /** Environment of the child. @default {this process's environment} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working folder of the child. @default {this process's} */
  readonly cwd?: string;
}

/**
 * The fields of `initialize`; each has a realistic default.
 *
 * @example Resume a shard from its stored checkpoint
 * ```ts
 * import { FakeDaemon, type InitializeOptions } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const stored = "49590338271490256608559692538361571095921575989136588898";
 *
 * let startedAfter: string | null = null;
 * const daemon = FakeDaemon.inProcess({
 *   initialize({ sequenceNumber }) {
 *     startedAfter = sequenceNumber;
 *   },
 *   processRecords() {},
 * });
 * const lease: InitializeOptions = { shardId: "shardId-000000000002", sequenceNumber: stored };
 * await daemon.initialize(lease);
 * assert.equal(startedAfter, stored);
 * assert.deepEqual(daemon.checkpoint, { sequenceNumber: stored, subSequenceNumber: 0 });
 * await daemon.leaseLost();
 * await daemon.end();
 * ```
 */
export interface InitializeOptions {
  /** The shard. @default {"shardId-000000000000"} */
  readonly shardId?: string;
  /** The lease's checkpoint: digits or a sentinel. @default {"TRIM_HORIZON"} */
  readonly sequenceNumber?: string | null;
  /** The checkpoint's sub-sequence number. @default {0} */
  readonly subSequenceNumber?: number | null;
}

/**
 * Options of {@linkcode FakeDaemon.processRecords}.
 *
 * @example Deliver a batch far behind the tip of the stream
 * ```ts
 * import { FakeDaemon, type ProcessRecordsOptions, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const lags: (number | null)[] = [];
 * const daemon = FakeDaemon.inProcess({
 *   processRecords({ millisBehindLatest }) {
 *     lags.push(millisBehindLatest);
 *   },
 * });
 * await daemon.initialize();
 * const oneDayBehind: ProcessRecordsOptions = { millisBehindLatest: 86_400_000 };
 * await daemon.processRecords(new RecordBuilder().build(["late"]), oneDayBehind);
 * await daemon.processRecords([], { millisBehindLatest: null });
 * assert.deepEqual(lags, [86_400_000, null]);
 * await daemon.leaseLost();
 * await daemon.end();
 * ```
 */
export interface ProcessRecordsOptions {
  /** How far behind the tip of the stream the batch is. @default {0} */
  readonly millisBehindLatest?: number | null;
}
