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
export { FakeDaemonError, type FakeDaemonErrorKind } from "./fake_daemon_error.ts";
export type { FaultOptions } from "./faults.ts";
export type { CheckpointPosition } from "./checkpoint_ledger.ts";
export type { InProcessSessionOptions } from "./in_process_transport.ts";
export type { KclProcessOptions, KclProcessResult } from "../session/kcl_process.ts";
export type { LogFields, LogFunction, LogLevel } from "../session/logger.ts";
export type { RetryOptions } from "../session/retry.ts";
export type { SpawnOptions } from "./child_transport.ts";
export type { DaemonTransport } from "./transport.ts";
export { formatTranscript, type TranscriptEntry } from "./transcript.ts";
export { formatViolations, type Violation, type ViolationKind } from "./violation.ts";
export {
  encodePayload,
  FIRST_SEQUENCE_NUMBER,
  RecordBuilder,
  type RecordBuilderOptions,
  type RecordPayload,
} from "./record_builder.ts";
export type { RecordMessage } from "../protocol/messages.ts";
