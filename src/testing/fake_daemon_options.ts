/**
 * How a {@linkcode FakeDaemon} is set up, and the fields of the actions it
 * sends.
 *
 * @module
 */

import type { ExecutedCheckpoint } from "./action_result.ts";
import type { SpawnOptions } from "./child_transport.ts";
import type { FaultOptions } from "./faults.ts";
import type { InProcessSessionOptions } from "./in_process_transport.ts";

/** Options of a {@linkcode FakeDaemon}. */
export interface FakeDaemonOptions {
  /**
   * How long the child may stay silent while an action is in flight (the
   * timer restarts on every line it writes, like the daemon's
   * `timeoutInSeconds`), and how long it may take to exit after `end()`.
   *
   * @default {10000}
   */
  readonly timeoutMs?: number;
  /** Faults to inject from the first action on; see {@linkcode FakeDaemon.faults}. */
  readonly faults?: FaultOptions;
  /** Receives each line the child writes to stderr (the in-process session's log lines). */
  readonly onStderr?: (line: string) => void;
  /**
   * Receives each checkpoint request the moment the daemon answers it, before
   * the reply reaches the child: the place to check that everything up to the
   * checkpoint was really persisted (a check made after the action's status
   * would miss a write that completed in between).
   */
  readonly onCheckpoint?: (checkpoint: ExecutedCheckpoint) => void;
  /** How many transcript entries to keep (the oldest are dropped first). @default {Infinity} */
  readonly transcriptLimit?: number;
}

/** Options of {@linkcode FakeDaemon.inProcess}: the daemon's, plus the `KclProcess` session's. */
export interface InProcessOptions extends FakeDaemonOptions {
  /** Options of the `KclProcess` (retry policies, `skipFailedBatches`, a `log` function, …). */
  readonly session?: InProcessSessionOptions;
}

/** Options of {@linkcode FakeDaemon.spawn}: the daemon's, plus the child's environment and folder. */
export interface ChildOptions extends FakeDaemonOptions, SpawnOptions {}

/** The fields of `initialize`; each has a realistic default. */
export interface InitializeOptions {
  /** The shard. @default {"shardId-000000000000"} */
  readonly shardId?: string;
  /** The lease's checkpoint: digits or a sentinel. @default {"TRIM_HORIZON"} */
  readonly sequenceNumber?: string | null;
  /** The checkpoint's sub-sequence number. @default {0} */
  readonly subSequenceNumber?: number | null;
}

/** Options of {@linkcode FakeDaemon.processRecords}. */
export interface ProcessRecordsOptions {
  /** How far behind the tip of the stream the batch is. @default {0} */
  readonly millisBehindLatest?: number | null;
}
