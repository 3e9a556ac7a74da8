/**
 * Write Amazon Kinesis consumers in TypeScript that run as child processes
 * of the KCL MultiLangDaemon, unchanged on Deno, Bun and Node.
 *
 * The Java daemon owns leases, balances shards and reads the stream; this
 * module is the per-shard record processor: an exact implementation of the
 * daemon's stdin/stdout protocol with a typed async API, safe checkpointing
 * and nothing but protocol lines on stdout.
 *
 * @example A consumer
 * ```ts ignore
 * import { run } from "@kcl/multilang";
 *
 * await run({
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) console.log(record.json());
 *     await checkpointer.checkpoint();
 *   },
 *   async shutdownRequested({ checkpointer }) {
 *     await checkpointer.checkpoint();
 *   },
 * });
 * ```
 *
 * @module
 */

export { run, type RunOptions } from "./src/runtime/run.ts";
export { KclProcess, type KclProcessOptions, type KclProcessResult } from "./src/session/kcl_process.ts";
export type {
  Checkpointer,
  InitializeInput,
  LeaseLostInput,
  ProcessRecordsInput,
  RecordProcessor,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "./src/session/record_processor.ts";
export { createRecord, type KinesisRecord } from "./src/session/record.ts";
export { CheckpointError, RETRYABLE_CHECKPOINT_ERRORS } from "./src/session/checkpoint_error.ts";
export { compareSequence, isSequenceNumber, type SequencePosition } from "./src/session/sequence.ts";
export {
  createLogger,
  type LogFields,
  type LogFunction,
  type LoggerOptions,
  type LogLevel,
} from "./src/session/logger.ts";
export type { RetryOptions } from "./src/session/retry.ts";
export { CLIP_LENGTH, clipLine, ProtocolError, type ProtocolErrorKind } from "./src/protocol/protocol_error.ts";
export {
  DEFAULT_MAX_LINE_LENGTH,
  LineSplitter,
  type LineSplitterOptions,
  LineStream,
} from "./src/protocol/line_stream.ts";
export { parseMessage } from "./src/protocol/parse_message.ts";
export { encodeCheckpoint, encodeStatus } from "./src/protocol/encode_reply.ts";
export type {
  ActionMessage,
  CheckpointReplyMessage,
  DaemonMessage,
  InitializeMessage,
  LeaseLostMessage,
  ProcessRecordsMessage,
  RecordMessage,
  ShardEndedMessage,
  ShutdownMessage,
  ShutdownReason,
  ShutdownRequestedMessage,
  UnknownActionMessage,
} from "./src/protocol/messages.ts";
