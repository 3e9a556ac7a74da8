/**
 * The one interface between the fake daemon's core and a child: an
 * in-process `KclProcess` or a real child process implement it.
 *
 * @module
 */

/**
 * A child as the fake daemon sees it: lines in, lines out, an exit code.
 *
 * @example A transport that answers every action at once
 * ```ts
 * import { FakeDaemon, type DaemonTransport } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const replies: string[] = [];
 * let wake = () => {};
 * let closed = false;
 * const transport: DaemonTransport = {
 *   async write(text) {
 *     const action = JSON.parse(text).action;
 *     replies.push(JSON.stringify({ action: "status", responseFor: action }));
 *     wake();
 *   },
 *   async *lines() {
 *     while (!closed || replies.length > 0) {
 *       const next = replies.shift();
 *       if (next !== undefined) yield next;
 *       else await new Promise<void>((resolve) => (wake = resolve));
 *     }
 *   },
 *   async closeInput() {
 *     closed = true;
 *     wake();
 *   },
 *   exited: () => Promise.resolve(0),
 *   kill() {},
 * };
 * const daemon = new FakeDaemon(transport);
 * assert.equal((await daemon.leaseLost()).responseFor, "leaseLost");
 * assert.equal(await daemon.end(), 0);
 * ```
 */
export interface DaemonTransport {
  /** Writes text to the child's stdin (one or more whole lines, endings included). */
  write(text: string): Promise<void>;
  /** The child's stdout, split into lines (one trailing `\r` stripped); ends when stdout closes. */
  lines(): AsyncIterable<string>;
  /** Closes the child's stdin (end of the session). */
  closeInput(): Promise<void>;
  /** Resolves with the child's exit code once it has exited (`null` when killed by a signal). */
  exited(): Promise<number | null>;
  /** Stops the child now (after a timeout). */
  kill(): void;
  /** The child's process id, when it is a real process (to send it signals). */
  readonly pid?: number;
}
