/**
 * The error a fake daemon scenario fails with.
 *
 * @module
 */

/**
 * Why a scenario step failed:
 * - `timeout`: the child wrote nothing for `timeoutMs` while an action was in flight
 *   (the real daemon would wait forever, or halt with `timeoutInSeconds`);
 * - `child-exited`: the child exited or closed its stdout before answering an action
 *   (the real daemon exits, stopping every shard of the worker);
 * - `exit-timeout`: the child did not exit within `timeoutMs` after its stdin closed;
 * - `busy`: an action was started while another was in flight (a missing `await`);
 * - `ended`: an action was started after `end()`, a timeout or a child exit;
 * - `violations`: {@linkcode FakeDaemon.assertNoViolations} found protocol violations.
 *
 * @example A processor that throws ends the session
 * ```ts
 * import { FakeDaemon, FakeDaemonError, type FakeDaemonErrorKind, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const kinds: FakeDaemonErrorKind[] = [];
 * const recordKind = (error: unknown): void => {
 *   if (!(error instanceof FakeDaemonError)) throw error;
 *   kinds.push(error.kind);
 * };
 * const daemon = FakeDaemon.inProcess({
 *   processRecords() {
 *     throw new Error("Cannot store the record: disk full");
 *   },
 * }, { session: { log: () => {} } });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["x"])).catch(recordKind);
 * await daemon.leaseLost().catch(recordKind);
 * assert.deepEqual(kinds, ["child-exited", "ended"]);
 * assert.equal(await daemon.end(), 1);
 * ```
 */
export type FakeDaemonErrorKind = "timeout" | "child-exited" | "exit-timeout" | "busy" | "ended" | "violations";

/**
 * A failed scenario step. The first line of the message names the action and
 * what the child did; the lines after it give the context (lines the real
 * daemon would have skipped; the child's stderr: its error's own lines, the
 * message and causes without their stack frames, then its last 10 lines as
 * they came; the last lines exchanged).
 *
 * @example Tell a timeout from a crash
 * ```ts
 * import { FakeDaemonError } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const error = new FakeDaemonError("timeout", "Cannot complete processRecords: no answer", "processRecords");
 * assert.equal(error.kind, "timeout");
 * assert.equal(error.action, "processRecords");
 * ```
 */
export class FakeDaemonError extends Error {
  /** Why the step failed. */
  readonly kind: FakeDaemonErrorKind;
  /** The action in flight, or `null`. */
  readonly action: string | null;

  /**
   * Creates a fake daemon error.
   *
   * @param kind why the step failed
   * @param message a sentence naming the action and the cause
   * @param action the action in flight, if any
   */
  constructor(kind: FakeDaemonErrorKind, message: string, action: string | null = null) {
    super(message);
    this.name = "FakeDaemonError";
    this.kind = kind;
    this.action = action;
  }
}
