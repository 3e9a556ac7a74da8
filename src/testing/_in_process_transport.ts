/**
 * A `KclProcess` in this process, over in-memory streams: the fastest way
 * to test a record processor, with the library's real protocol code.
 *
 * @module
 */

import { KclProcess, type KclProcessOptions, type KclProcessResult } from "../session/kcl_process.ts";
import { createLogger } from "../session/logger.ts";
import type { RecordProcessor } from "../session/record_processor.ts";
import { splitLines } from "./_split_lines.ts";
import type { DaemonTransport } from "./transport.ts";

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
  session: Omit<KclProcessOptions, "transport" | "input" | "output">,
  onStderr: (line: string) => void,
): InProcessTransport {
  const toChild = new TransformStream<Uint8Array, Uint8Array>();
  const fromChild = new TransformStream<Uint8Array, Uint8Array>();
  // One stderr line per line of text, as a child's stderr is read (a logged stack spans several).
  const log = session.log ??
    createLogger((text) => text.replace(/\n$/, "").split("\n").forEach((line) => onStderr(line)), { level: "debug" });
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
