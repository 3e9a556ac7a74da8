/**
 * What the fake daemon reports about one action and its checkpoints.
 *
 * @module
 */

import type { CheckpointPosition } from "./checkpoint_position.ts";
import type { Violation } from "./violation.ts";

/**
 * One checkpoint request the child made during an action, and the daemon's answer.
 *
 * @example A checkpoint past the batch is refused
 * ```ts
 * import { type CheckpointOutcome, FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const beyond = "99999999999999999999999999999999999999999999999999999999";
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ records, checkpointer }) {
 *     await checkpointer.checkpoint(records[0]?.sequenceNumber ?? "");
 *     await assert.rejects(checkpointer.checkpoint(beyond), { code: "IllegalArgumentException" });
 *   },
 * });
 * await daemon.initialize();
 * const records = new RecordBuilder().build(["a", "b"]);
 * const outcomes: readonly CheckpointOutcome[] = (await daemon.processRecords(records)).checkpoints;
 * assert.deepEqual(outcomes.map((outcome) => [outcome.sequenceNumber, outcome.error]), [
 *   [records[0]?.sequenceNumber, null],
 *   [beyond, "IllegalArgumentException"],
 * ]);
 * assert.equal(daemon.checkpoint?.sequenceNumber, records[0]?.sequenceNumber);
 * await daemon.leaseLost();
 * await daemon.end();
 * ```
 */
export interface CheckpointOutcome {
  /** As requested (`null`: the largest permitted position). */
  readonly sequenceNumber: string | null;
  /** As requested (`null` or absent: 0). */
  readonly subSequenceNumber: number | null;
  /** The exception name answered, or `null` when the checkpoint was stored. */
  readonly error: string | null;
}

/**
 * A checkpoint request at the moment the daemon answered it (see
 * `onCheckpoint` of {@linkcode FakeDaemonOptions}).
 *
 * @example Check every stored checkpoint against what was persisted
 * ```ts
 * import { type ExecutedCheckpoint, FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const persisted = new Set<string>();
 * const executed: ExecutedCheckpoint[] = [];
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) persisted.add(record.sequenceNumber);
 *     await checkpointer.checkpoint();
 *   },
 * }, {
 *   onCheckpoint(checkpoint) {
 *     executed.push(checkpoint);
 *     if (checkpoint.error === null) assert.ok(persisted.has(checkpoint.stored?.sequenceNumber ?? ""));
 *   },
 * });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["a"]));
 * await daemon.leaseLost();
 * await daemon.end();
 * assert.deepEqual(executed.map((c) => c.action), ["processRecords"]);
 * ```
 */
export interface ExecutedCheckpoint extends CheckpointOutcome {
  /** The action in flight. */
  readonly action: string;
  /** The stored checkpoint once the request was executed (unchanged when it failed). */
  readonly stored: CheckpointPosition | null;
}

/**
 * What happened during one action.
 *
 * @example Inspect what one batch did
 * ```ts
 * import { type ActionResult, FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = FakeDaemon.inProcess({ processRecords: ({ checkpointer }) => checkpointer.checkpoint() });
 * await daemon.initialize();
 * const records = new RecordBuilder().build(["a", "b", "c"]);
 * const result: ActionResult = await daemon.processRecords(records);
 * assert.equal(result.action, "processRecords");
 * assert.equal(result.responseFor, "processRecords");
 * assert.equal(result.checkpoints.length, 1);
 * assert.deepEqual(result.violations, []);
 * assert.deepEqual(result.checkpoint, { sequenceNumber: records[2]?.sequenceNumber, subSequenceNumber: 0 });
 * await daemon.leaseLost();
 * await daemon.end();
 * ```
 */
export interface ActionResult {
  /** The action sent. */
  readonly action: string;
  /** The `responseFor` of the child's status. */
  readonly responseFor: string;
  /** The checkpoint requests of the action, in order, with their answers. */
  readonly checkpoints: readonly CheckpointOutcome[];
  /** Violations found during the action. */
  readonly violations: readonly Violation[];
  /** The stored checkpoint once the action was answered. */
  readonly checkpoint: CheckpointPosition | null;
  /** Milliseconds from sending the action to reading its status. */
  readonly durationMs: number;
}
