/**
 * One action, played as the real daemon plays it: send the action, then read
 * the child's lines until its status, executing each checkpoint request in
 * order and answering it once, and skipping (reporting) every other line.
 *
 * @module
 */

import type { CheckpointOutcome } from "./action_result.ts";
import { type CheckpointPosition, describePosition, SHARD_END } from "./checkpoint_position.ts";
import { readChildLine } from "./_child_line.ts";
import type { FaultOptions, MessageEncoder } from "./faults.ts";
import type { Violation } from "./violation.ts";

/** What the loop needs from the daemon playing it. */
export interface ActionPeer {
  /** The faults in force (the checkpoint reply delay). */
  readonly faults: FaultOptions;
  /** Encodes daemon messages under the faults. */
  readonly encoder: MessageEncoder;
  /** Writes one line to the child; rejects (failing the step) when its stdin is closed. */
  send(line: string): Promise<void>;
  /** The child's next line; rejects (failing the step) when it is silent too long or gone. */
  nextLine(): Promise<string>;
  /** Executes a checkpoint request as the daemon's checkpointer does, and says the answer. */
  execute(sequenceNumber: string | null, subSequenceNumber: number | null): CheckpointOutcome;
  /** Records a violation. */
  report(violation: Violation): void;
}

/** The child's answer to one action. */
export interface ActionReply {
  /** The `responseFor` of the status. */
  readonly responseFor: string;
  /** The checkpoint requests, in order, with their answers. */
  readonly checkpoints: readonly CheckpointOutcome[];
}

/** Sends `message` (after any garbage lines the faults ask for) and plays the daemon until the child's status. */
export async function playAction(message: Readonly<Record<string, unknown>>, peer: ActionPeer): Promise<ActionReply> {
  const action = String(message.action);
  const checkpoints: CheckpointOutcome[] = [];
  for (const garbage of peer.encoder.garbage()) await peer.send(garbage);
  await peer.send(peer.encoder.encode(message));
  for (;;) {
    const line = readChildLine(await peer.nextLine(), action);
    switch (line.kind) {
      case "blank":
        continue;
      case "skipped":
        peer.report(line.violation);
        continue;
      case "checkpoint": {
        const outcome = peer.execute(line.sequenceNumber, line.subSequenceNumber);
        checkpoints.push(outcome);
        const delay = peer.faults.checkpointDelayMs ?? 0;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        await peer.send(peer.encoder.encode({ action: "checkpoint", ...outcome }));
        continue;
      }
      case "status":
        if (line.violation !== null) peer.report(line.violation);
        return { responseFor: line.responseFor, checkpoints };
    }
  }
}

/** A shard end answered without a stored `SHARD_END` leaves the real shard stuck. */
export function missingShardEnd(stored: CheckpointPosition | null, action: string): Violation | null {
  if (stored !== null && stored.sequenceNumber === SHARD_END.sequenceNumber) return null;
  return {
    kind: "missing-shard-end-checkpoint",
    message: `The child answered ${action} without a successful SHARD_END checkpoint (a checkpoint with ` +
      `sequenceNumber null; the stored checkpoint is ${
        describePosition(stored)
      }); the real shard stays stuck and its children are never processed`,
    line: null,
    action,
  };
}

/** A line written while no action is in flight is read by the next action, with its checkpointer. */
export function lineOutsideAction(line: string, after: string, action: string | null): Violation {
  return {
    kind: "line-outside-action",
    message: `The child wrote a line ${after}, while no action was in flight; the real daemon reads it during the ` +
      "next action, with that action's checkpointer (a late null checkpoint commits records not yet processed)",
    line,
    action,
  };
}
