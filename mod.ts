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
 * // An illustration: run() takes over this process's stdio, so it runs only under the daemon.
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
export type { LineListener, SessionTransport } from "./src/session/transport.ts";
export { streamTransport } from "./src/session/stream_transport.ts";
export type {
  Checkpointer,
  InitializeInput,
  LeaseLostInput,
  ProcessRecordsInput,
  RecordProcessor,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "./src/session/record_processor.ts";
export type { KinesisRecord } from "./src/session/record.ts";
export { CheckpointError } from "./src/session/checkpoint_error.ts";
export { compareSequence, isSequenceNumber, type SequencePosition } from "./src/session/sequence.ts";
export {
  createLogger,
  type LogFields,
  type LogFunction,
  type LoggerOptions,
  type LogLevel,
} from "./src/session/logger.ts";
export type { RetryOptions } from "./src/session/retry.ts";
export { ProtocolError, type ProtocolErrorKind } from "./src/protocol/protocol_error.ts";
