/**
 * The daemon's wire protocol, runtime-free: message types and their
 * validation, the line splitter and its `TransformStream` face, and the
 * reply encoders. Use it to build tools that speak the protocol (a fake
 * daemon, a recorder); a consumer needs only `@kcl/multilang`.
 *
 * @example Parse one daemon line and answer it
 * ```ts
 * import { encodeStatus, parseMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const message = parseMessage('{"action":"leaseLost"}');
 * assert.equal(message.action, "leaseLost");
 * assert.equal(encodeStatus(message.action), '{"action":"status","responseFor":"leaseLost"}\n');
 * ```
 *
 * @module
 */

export { encodeCheckpoint, encodeStatus } from "./encode_reply.ts";
export { DEFAULT_MAX_LINE_LENGTH, LineSplitter, type LineSplitterOptions } from "./line_splitter.ts";
export { LineStream } from "./line_stream.ts";
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
} from "./messages.ts";
export { parseMessage } from "./parse_message.ts";
export { ProtocolError, type ProtocolErrorKind } from "./protocol_error.ts";
