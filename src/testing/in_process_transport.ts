/**
 * A `KclProcess` in this process, over in-memory streams: the fastest way
 * to test a record processor, with the library's real protocol code.
 *
 * @module
 */

import { KclProcess, type KclProcessOptions, type KclProcessResult } from "../session/kcl_process.ts";
import { createLogger } from "../session/logger.ts";
import type { RecordProcessor } from "../session/record_processor.ts";
import { splitLines } from "./split_lines.ts";
import type { DaemonTransport } from "./transport.ts";

/**
 * Session options of an in-process child (streams are provided by the fake daemon).
 *
 * @example Retry a failing batch and capture the session's warnings
 * ```ts
 * import { FakeDaemon, type InProcessSessionOptions, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const warnings: string[] = [];
 * const session: InProcessSessionOptions = {
 *   processRecordsRetry: { attempts: 2, baseDelayMs: 1 },
 *   log: (level, message) => {
 *     if (level === "warn") warnings.push(message);
 *   },
 * };
 * let calls = 0;
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ checkpointer }) {
 *     if (++calls === 1) throw new Error("Cannot reach the database: timeout");
 *     await checkpointer.checkpoint();
 *   },
 * }, { session });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a"]));
 * assert.equal(calls, 2);
 * assert.equal(warnings.length, 1);
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * ```
 */
export type InProcessSessionOptions = Omit<KclProcessOptions, "input" | "output">;

/** The in-process transport, and the session's result once it ended. */
export interface InProcessTransport extends DaemonTransport {
  /** How the session ended (resolves after the input closed or the session failed). */
  readonly result: Promise<KclProcessResult>;
}

/**
 * Runs `processor` in a `KclProcess`; its log lines go to `onStderr` as a
 * child's stderr would.
 */
export function inProcessTransport(
  processor: RecordProcessor,
  session: InProcessSessionOptions,
  onStderr: (line: string) => void,
): InProcessTransport {
  const toChild = new TransformStream<Uint8Array, Uint8Array>();
  const fromChild = new TransformStream<Uint8Array, Uint8Array>();
  const log = session.log ?? createLogger((line) => onStderr(line.replace(/\n$/, "")), { level: "debug" });
  const result = new KclProcess(processor, {
    ...session,
    log,
    input: toChild.readable,
    output: fromChild.writable,
  }).run();
  const writer = toChild.writable.getWriter();
  const encoder = new TextEncoder();
  let closed = false;
  return {
    result,
    async write(text) {
      await writer.write(encoder.encode(text));
    },
    lines: () => splitLines(fromChild.readable),
    async closeInput() {
      if (closed) return;
      closed = true;
      await writer.close().catch(() => {});
    },
    exited: () => result.then((r) => r.exitCode),
    kill() {
      if (closed) return;
      closed = true;
      writer.abort(new Error("The fake daemon stopped the session")).catch(() => {});
    },
  };
}
