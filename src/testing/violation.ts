/**
 * What a child did that the real MultiLangDaemon would not survive: it would
 * skip the line and wait forever, act on it at the wrong time, or leave the
 * shard stuck. The fake daemon reports each one instead, with the line.
 *
 * @module
 */

/**
 * The kinds of protocol violation:
 * - `invalid-json`: a stdout line that is not JSON (the real daemon skips it);
 * - `not-a-message`: JSON that is not an object with a string `action`;
 * - `unexpected-action`: a message whose `action` is neither `status` nor `checkpoint`;
 * - `unknown-key`: a `status` or `checkpoint` with a key the daemon's parser does not
 *   know (the real daemon skips the line and keeps waiting: a silent deadlock);
 * - `invalid-field`: a `status` or `checkpoint` field of the wrong type;
 * - `wrong-response-for`: a status naming another action (the real daemon exits);
 * - `line-outside-action`: a line written while no action was in flight (the real
 *   daemon reads it during the next action, with that action's checkpointer);
 * - `missing-shard-end-checkpoint`: a shard end answered without a successful
 *   `SHARD_END` (null) checkpoint (the real shard stays stuck forever).
 *
 * @example A child that prints progress on stdout
 * ```ts
 * import { type DaemonTransport, FakeDaemon, type ViolationKind } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * // A hand-made child: writes a progress line on stdout before its status.
 * let requested: (action: string) => void = () => {};
 * const action = new Promise<string>((resolve) => (requested = resolve));
 * const transport: DaemonTransport = {
 *   async write(text) {
 *     requested(JSON.parse(text).action);
 *   },
 *   async *lines() {
 *     const name = await action;
 *     yield "Processing the batch…";
 *     yield JSON.stringify({ action: "status", responseFor: name });
 *   },
 *   async closeInput() {},
 *   exited: () => Promise.resolve(0),
 *   kill() {},
 * };
 * const daemon = new FakeDaemon(transport);
 * await daemon.leaseLost();
 * await daemon.end();
 * const kinds: ViolationKind[] = daemon.violations.map((violation) => violation.kind);
 * assert.deepEqual(kinds, ["invalid-json"]);
 * assert.throws(() => daemon.assertNoViolations(), { kind: "violations" });
 * ```
 */
export type ViolationKind =
  | "invalid-json"
  | "not-a-message"
  | "unexpected-action"
  | "unknown-key"
  | "invalid-field"
  | "wrong-response-for"
  | "line-outside-action"
  | "missing-shard-end-checkpoint";

/**
 * One protocol violation.
 *
 * @example A status with a key the daemon does not know
 * ```ts
 * import { FakeDaemon, type Violation } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * // A child in sh: reads the action, answers it with an extra key, then correctly, and exits on stdin EOF.
 * const status = '{"action":"status","responseFor":"leaseLost","ok":true}';
 * const daemon = await FakeDaemon.spawn("/bin/sh", [
 *   "-c",
 *   `read -r action; echo '${status}'; echo '{"action":"status","responseFor":"leaseLost"}'; cat >/dev/null`,
 * ]);
 * await daemon.leaseLost();
 * assert.equal(await daemon.end(), 0);
 * const [violation]: readonly Violation[] = daemon.violations;
 * assert.equal(violation?.kind, "unknown-key");
 * assert.equal(violation?.action, "leaseLost");
 * assert.equal(violation?.line, status);
 * assert.match(violation?.message ?? "", /unknown key\(s\) "ok"; the real daemon skips the line and waits forever/);
 * ```
 */
export interface Violation {
  /** What was wrong. */
  readonly kind: ViolationKind;
  /** A sentence saying what the child did and what the real daemon would do. */
  readonly message: string;
  /** The offending line as the child wrote it, or `null` when no line is at fault. */
  readonly line: string | null;
  /** The action in flight (or the last one answered), or `null` before the first. */
  readonly action: string | null;
}

/** Formats violations as an indented list, one per violation with its line (for error messages and logs). */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((violation) => {
    const during = violation.action === null ? "" : ` during ${violation.action}`;
    const line = violation.line === null ? "" : `\n      line: ${clip(violation.line)}`;
    return `  - [${violation.kind}]${during}: ${violation.message}${line}`;
  }).join("\n");
}

function clip(line: string, max = 300): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}
