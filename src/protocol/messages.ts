/**
 * The messages the daemon writes to the child, as typed values. Field names
 * follow the wire; every field the daemon writes as `null` is typed so.
 *
 * @module
 */

/** One record of a `processRecords` action, as the daemon writes it. */
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

/** `initialize`: the first action of every child. */
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

/** `processRecords`: a batch of records (possibly empty). */
export interface ProcessRecordsMessage {
  /** The action name. */
  readonly action: "processRecords";
  /** The batch, in sequence order; may be empty. */
  readonly records: readonly RecordMessage[];
  /** How far behind the tip of the stream, or `null`. */
  readonly millisBehindLatest: number | null;
}

/** `leaseLost` (KCL 2.x+): another worker owns the shard now. */
export interface LeaseLostMessage {
  /** The action name. */
  readonly action: "leaseLost";
}

/** `shardEnded` (KCL 2.x+): the shard is closed and fully read. */
export interface ShardEndedMessage {
  /** The action name. */
  readonly action: "shardEnded";
}

/** `shutdownRequested`: graceful worker shutdown or lease hand-off. */
export interface ShutdownRequestedMessage {
  /** The action name. */
  readonly action: "shutdownRequested";
}

/** Why a KCL 1.x daemon shuts a processor down. */
export type ShutdownReason = "TERMINATE" | "ZOMBIE" | "REQUESTED";

/** `shutdown` (KCL 1.x): `TERMINATE` = shard ended, `ZOMBIE` = lease lost. */
export interface ShutdownMessage {
  /** The action name. */
  readonly action: "shutdown";
  /** Why the processor shuts down. */
  readonly reason: ShutdownReason;
}

/** The daemon's answer to a checkpoint request (echoes the request). */
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
 */
export interface UnknownActionMessage {
  /** Always `"unknown"`: this version does not know the action. */
  readonly action: "unknown";
  /** The action's name as the daemon wrote it. */
  readonly name: string;
}

/** Every message the daemon writes that starts an action. */
export type ActionMessage =
  | InitializeMessage
  | ProcessRecordsMessage
  | LeaseLostMessage
  | ShardEndedMessage
  | ShutdownRequestedMessage
  | ShutdownMessage;

/** Every message the daemon writes. */
export type DaemonMessage = ActionMessage | CheckpointReplyMessage | UnknownActionMessage;
