/**
 * The messages the daemon writes to the child, as typed values. Field names
 * follow the wire; every field the daemon writes as `null` is typed so.
 *
 * @module
 */

/**
 * One record of a `processRecords` action, as the daemon writes it.
 *
 * @example Read a record as the daemon wrote it
 * ```ts
 * import { parseMessage, type RecordMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const message = parseMessage(
 *   '{"action":"processRecords","records":[{"data":"aGVsbG8=","partitionKey":"pk-1","sequenceNumber":"42","approximateArrivalTimestamp":1700000000123,"subSequenceNumber":0,"action":"record"}],"millisBehindLatest":0}',
 * );
 * const record: RecordMessage | undefined = message.action === "processRecords" ? message.records[0] : undefined;
 * assert.equal(record?.data, "aGVsbG8=");
 * ```
 */
export interface RecordMessage {
  /** Base64 (standard alphabet, padded); `""` for an empty payload; `null` possible. */
  readonly data: string | null;
  /** The partition key; `null` possible. */
  readonly partitionKey: string | null;
  /** Decimal sequence number, up to 129 digits. */
  readonly sequenceNumber: string;
  /** Position inside a KPL aggregate; `null` from KCL 1.x daemons. */
  readonly subSequenceNumber: number | null;
  /** Epoch milliseconds, or `null`. */
  readonly approximateArrivalTimestamp: number | null;
}

/**
 * `initialize`: the first action of every child.
 *
 * @example Tell a sentinel from a checkpoint
 * ```ts
 * import type { InitializeMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const message: InitializeMessage = {
 *   action: "initialize",
 *   shardId: "shardId-000000000000",
 *   sequenceNumber: "TRIM_HORIZON",
 *   subSequenceNumber: 0,
 * };
 * // A sentinel, not digits: there is no checkpoint to resume after yet.
 * assert.doesNotMatch(message.sequenceNumber ?? "", /^[0-9]+$/);
 * ```
 */
export interface InitializeMessage {
  /** The action name. */
  readonly action: "initialize";
  /** The shard this child processes. */
  readonly shardId: string;
  /** The lease's checkpoint: decimal digits or a sentinel (`TRIM_HORIZON`, `LATEST`, ...). */
  readonly sequenceNumber: string | null;
  /** The checkpoint's sub-sequence number, or `null`. */
  readonly subSequenceNumber: number | null;
}

/**
 * `processRecords`: a batch of records (possibly empty).
 *
 * @example An empty batch
 * ```ts
 * import { parseMessage, type ProcessRecordsMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: ProcessRecordsMessage = { action: "processRecords", records: [], millisBehindLatest: null };
 * assert.deepEqual(parseMessage('{"action":"processRecords","records":[],"millisBehindLatest":null}'), expected);
 * ```
 */
export interface ProcessRecordsMessage {
  /** The action name. */
  readonly action: "processRecords";
  /** The batch, in sequence order; may be empty. */
  readonly records: readonly RecordMessage[];
  /** How far behind the tip of the stream, or `null`. */
  readonly millisBehindLatest: number | null;
}

/**
 * `leaseLost` (KCL 2.x+): another worker owns the shard now.
 *
 * @example Parse leaseLost
 * ```ts
 * import { parseMessage, type LeaseLostMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: LeaseLostMessage = { action: "leaseLost" };
 * assert.deepEqual(parseMessage('{"action":"leaseLost"}'), expected);
 * ```
 */
export interface LeaseLostMessage {
  /** The action name. */
  readonly action: "leaseLost";
}

/**
 * `shardEnded` (KCL 2.x+): the shard is closed and fully read.
 *
 * @example Parse shardEnded
 * ```ts
 * import { parseMessage, type ShardEndedMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: ShardEndedMessage = { action: "shardEnded" };
 * assert.deepEqual(parseMessage('{"action":"shardEnded"}'), expected);
 * ```
 */
export interface ShardEndedMessage {
  /** The action name. */
  readonly action: "shardEnded";
}

/**
 * `shutdownRequested`: graceful worker shutdown or lease hand-off.
 *
 * @example Parse shutdownRequested
 * ```ts
 * import { parseMessage, type ShutdownRequestedMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: ShutdownRequestedMessage = { action: "shutdownRequested" };
 * assert.deepEqual(parseMessage('{"action":"shutdownRequested"}'), expected);
 * ```
 */
export interface ShutdownRequestedMessage {
  /** The action name. */
  readonly action: "shutdownRequested";
}

/**
 * Why a KCL 1.x daemon shuts a processor down.
 *
 * @example Map KCL 1.x reasons
 * ```ts
 * import type { ShutdownReason } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const handledAs: Record<ShutdownReason, string> = {
 *   TERMINATE: "shardEnded",
 *   ZOMBIE: "leaseLost",
 *   REQUESTED: "shutdownRequested",
 * };
 * assert.equal(handledAs.ZOMBIE, "leaseLost");
 * ```
 */
export type ShutdownReason = "TERMINATE" | "ZOMBIE" | "REQUESTED";

/**
 * `shutdown` (KCL 1.x): `TERMINATE` = shard ended, `ZOMBIE` = lease lost.
 *
 * @example Parse a KCL 1.x shutdown
 * ```ts
 * import { parseMessage, type ShutdownMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: ShutdownMessage = { action: "shutdown", reason: "TERMINATE" };
 * assert.deepEqual(parseMessage('{"action":"shutdown","reason":"TERMINATE"}'), expected);
 * ```
 */
export interface ShutdownMessage {
  /** The action name. */
  readonly action: "shutdown";
  /** Why the processor shuts down. */
  readonly reason: ShutdownReason;
}

/**
 * The daemon's answer to a checkpoint request (echoes the request).
 *
 * @example Parse a refused checkpoint
 * ```ts
 * import { type CheckpointReplyMessage, parseMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: CheckpointReplyMessage = {
 *   action: "checkpoint",
 *   sequenceNumber: null,
 *   subSequenceNumber: null,
 *   error: "ThrottlingException",
 * };
 * assert.deepEqual(
 *   parseMessage('{"action":"checkpoint","sequenceNumber":null,"subSequenceNumber":null,"error":"ThrottlingException"}'),
 *   expected,
 * );
 * ```
 */
export interface CheckpointReplyMessage {
  /** The message name. */
  readonly action: "checkpoint";
  /** The requested sequence number, echoed (`null` for "largest permitted"). */
  readonly sequenceNumber: string | null;
  /** The requested sub-sequence number, echoed. */
  readonly subSequenceNumber: number | null;
  /** A Java exception's simple class name, or `null` on success. */
  readonly error: string | null;
}

/**
 * An action this version does not know (a newer daemon's); the session
 * answers it with a status for `name`.
 *
 * @example A newer daemon's action
 * ```ts
 * import { parseMessage, type UnknownActionMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const expected: UnknownActionMessage = { action: "unknown", name: "somethingNew" };
 * assert.deepEqual(parseMessage('{"action":"somethingNew","extra":1}'), expected);
 * ```
 */
export interface UnknownActionMessage {
  /** Always `"unknown"`: this version does not know the action. */
  readonly action: "unknown";
  /** The action's name as the daemon wrote it. */
  readonly name: string;
}

/**
 * Every message the daemon writes that starts an action.
 *
 * @example Name the status for an action
 * ```ts
 * import type { ActionMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * // KCL 1.x `shutdown` is answered for "shutdown", whatever its reason.
 * const responseFor = (message: ActionMessage): string => message.action;
 * assert.equal(responseFor({ action: "shutdown", reason: "ZOMBIE" }), "shutdown");
 * ```
 */
export type ActionMessage =
  | InitializeMessage
  | ProcessRecordsMessage
  | LeaseLostMessage
  | ShardEndedMessage
  | ShutdownRequestedMessage
  | ShutdownMessage;

/**
 * Every message the daemon writes.
 *
 * @example Tell replies from actions
 * ```ts
 * import { type DaemonMessage, parseMessage } from "@kcl/multilang/protocol";
 * import assert from "node:assert/strict";
 *
 * const message: DaemonMessage = parseMessage('{"action":"leaseLost"}');
 * assert.equal(message.action === "checkpoint" ? "reply" : "action", "action");
 * ```
 */
export type DaemonMessage = ActionMessage | CheckpointReplyMessage | UnknownActionMessage;
