/**
 * Test KCL consumers without Java, AWS or DynamoDB: {@linkcode FakeDaemon}
 * plays the MultiLangDaemon's side of the wire exactly as the real one does
 * (see PROTOCOL.md), for an in-process `RecordProcessor` or any child
 * command, and reports what the real daemon would silently choke on.
 *
 * @example Test a record processor
 * ```ts
 * import { FakeDaemon, RecordBuilder } from "@kcl/multilang/testing";
 * import assert from "node:assert/strict";
 *
 * const daemon = FakeDaemon.inProcess({
 *   async processRecords({ checkpointer }) {
 *     await checkpointer.checkpoint();
 *   },
 * });
 * await daemon.initialize();
 * await daemon.processRecords(new RecordBuilder().build(["one", { two: 2 }]));
 * await daemon.shardEnded();
 * assert.equal(await daemon.end(), 0);
 * assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
 * daemon.assertNoViolations();
 * ```
 *
 * @module
 */

export { FakeDaemon } from "./fake_daemon.ts";
export type {
  ChildOptions,
  FakeDaemonOptions,
  InitializeOptions,
  InProcessOptions,
  ProcessRecordsOptions,
} from "./fake_daemon_options.ts";
export type { ActionResult, CheckpointOutcome, ExecutedCheckpoint } from "./action_result.ts";
export type { CheckpointPosition } from "./checkpoint_position.ts";
export { FakeDaemonError, type FakeDaemonErrorKind } from "./fake_daemon_error.ts";
export type { FaultOptions } from "./faults.ts";
export type { DaemonTransport } from "./transport.ts";
export type { TranscriptEntry } from "./transcript.ts";
export type { Violation, ViolationKind } from "./violation.ts";
export { RecordBuilder, type RecordBuilderOptions, type RecordPayload } from "./record_builder.ts";
// The wire record RecordBuilder builds and processRecords() sends.
export type { RecordMessage } from "../protocol/messages.ts";
