/**
 * The record of every line exchanged with a child.
 *
 * @module
 */

/**
 * One line of a session, in the order the fake daemon wrote or read it.
 *
 * @example Read the lines of a session
 * ```ts
 * import { FakeDaemon, type TranscriptEntry } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = FakeDaemon.inProcess({ processRecords() {} });
 * await daemon.initialize();
 * await daemon.leaseLost();
 * await daemon.end();
 * const entries: readonly TranscriptEntry[] = daemon.transcript;
 * assert.deepEqual(entries.map(({ from, line }) => `${from}: ${JSON.parse(line).action}`), [
 *   "daemon: initialize",
 *   "child: status",
 *   "daemon: leaseLost",
 *   "child: status",
 * ]);
 * ```
 */
export interface TranscriptEntry {
  /** `daemon`: written to the child's stdin; `child`: read from its stdout. */
  readonly from: "daemon" | "child";
  /** The line, without its line ending. */
  readonly line: string;
  /** Milliseconds since the fake daemon started. */
  readonly at: number;
}

/**
 * Formats entries one per line, `> ` for the daemon's lines and `< ` for the
 * child's, each clipped to `width` characters.
 */
export function formatTranscript(entries: readonly TranscriptEntry[], width = 300): string {
  return entries.map(({ from, line }) => {
    const clipped = line.length <= width ? line : `${line.slice(0, width)}… (${line.length - width} more characters)`;
    return `${from === "daemon" ? ">" : "<"} ${clipped}`;
  }).join("\n");
}
