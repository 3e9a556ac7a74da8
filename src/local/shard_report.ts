/**
 * How one shard went under the local daemon (an entry of the `--json`
 * summary's `shards`).
 *
 * @module
 */

import type { CheckpointPosition } from "../testing/checkpoint_position.ts";
import type { Violation } from "../testing/violation.ts";

/**
 * How one shard went.
 *
 * @example Find the shards that failed in the `--json` output
 * ```ts
 * import type { ShardReport } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * // Two entries of `shards` in what `local --json ... -- <consumer>` printed on stdout.
 * const output = JSON.stringify([
 *   { shardId: "shardId-000000000000", ended: "shard-end", error: null, delivered: 500, checkpointed: 500 },
 *   { shardId: "shardId-000000000001", ended: null, error: "Cannot complete processRecords: …", delivered: 0 },
 * ]);
 * const shards: Pick<ShardReport, "shardId" | "ended" | "error">[] = JSON.parse(output);
 * const failed = shards.filter((shard) => shard.error !== null).map((shard) => shard.shardId);
 * assert.deepEqual(failed, ["shardId-000000000001"]);
 * ```
 */
export interface ShardReport {
  /** The shard. */
  readonly shardId: string;
  /** Where the shard started: the persisted checkpoint, or `TRIM_HORIZON`. */
  startedAfter: string;
  /** Records sent to the child in `processRecords` actions (those of a batch it failed on included). */
  delivered: number;
  /** Delivered records covered by the stored checkpoint. */
  checkpointed: number;
  /** `processRecords` actions sent (one the child failed on included). */
  batches: number;
  /** Milliseconds from spawning the child to its exit. */
  durationMs: number;
  /**
   * How the shard's life ended (`--end`; `already-ended` when its persisted
   * checkpoint was `SHARD_END`, `interrupted` after Ctrl+C or SIGTERM), `null` when it
   * did not reach its end.
   */
  ended: "shard-end" | "lease-lost" | "shutdown" | "already-ended" | "interrupted" | null;
  /** The stored checkpoint at the end. */
  checkpoint: CheckpointPosition | null;
  /** The child's exit code, `null` when not known. */
  exitCode: number | null;
  /**
   * Why the shard failed, `null` when it did not: what failed and, for a
   * batch, its sequence range; the child's stderr is forwarded as it comes
   * (with `--quiet`, its last lines are added here).
   */
  error: string | null;
  /** The protocol violations of the child. */
  violations: readonly Violation[];
}
