/**
 * The checkpoint window of each action, as the real daemon sets it up before
 * sending the action: which checkpointer is live, and up to where.
 *
 * @module
 */

import type { RecordMessage } from "../protocol/messages.ts";
import type { CheckpointLedger, CheckpointWindow } from "./_checkpoint_ledger.ts";
import { isComparable } from "./checkpoint_position.ts";

/**
 * Opens the checkpoint window of `message` in `ledger`: `initialize` stores
 * the lease's checkpoint, a batch moves the largest permitted position to its
 * last record, a shard end to `SHARD_END`, and a lost lease refuses checkpoints.
 */
export function openCheckpointWindow(ledger: CheckpointLedger, message: Readonly<Record<string, unknown>>): void {
  let checkpointWindow: CheckpointWindow = "none";
  switch (message.action) {
    case "initialize": {
      const sequenceNumber = message.sequenceNumber;
      const sub = typeof message.subSequenceNumber === "number" ? message.subSequenceNumber : 0;
      ledger.initialize(
        typeof sequenceNumber === "string" && isComparable(sequenceNumber)
          ? { sequenceNumber, subSequenceNumber: sub }
          : null,
      );
      break;
    }
    case "processRecords": {
      // A hand-made batch may be malformed on purpose: it then delivers nothing.
      const records = Array.isArray(message.records) ? message.records as RecordMessage[] : [];
      const last = records.at(-1);
      ledger.deliver(
        last === undefined
          ? undefined
          : { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber ?? 0 },
      );
      checkpointWindow = "permitted";
      break;
    }
    case "shardEnded":
    case "shutdownRequested":
      checkpointWindow = "permitted";
      break;
    case "shutdown":
      checkpointWindow = message.reason === "ZOMBIE" ? "lost" : "permitted";
      break;
  }
  ledger.open(checkpointWindow, endsShard(message));
}

/** Whether `message` ends the shard: the child must then checkpoint `SHARD_END` before its status. */
export function endsShard(message: Readonly<Record<string, unknown>>): boolean {
  return message.action === "shardEnded" || (message.action === "shutdown" && message.reason === "TERMINATE");
}
