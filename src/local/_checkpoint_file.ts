/**
 * The local daemon's lease table: checkpoints persisted as JSON, so that a
 * second run resumes where the first one's checkpoints say.
 *
 * @module
 */

import { readFile, rename, writeFile } from "node:fs/promises";
import { type CheckpointPosition, isComparable } from "../testing/checkpoint_position.ts";
import { fileErrorReason } from "../cli/file_error_reason.ts";
import { InputError } from "./_record_source.ts";

/** The file's content: `{ "shards": { "<shardId>": { "sequenceNumber", "subSequenceNumber" } } }`. */
export interface CheckpointFileContent {
  shards: Record<string, CheckpointPosition>;
}

/**
 * Reads the checkpoints in `file`; a missing file means none. A file that
 * cannot be read or is malformed is an {@linkcode InputError} (exit code 2).
 */
export async function loadCheckpoints(file: string): Promise<Map<string, CheckpointPosition>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return new Map();
    throw new InputError(`Cannot read the checkpoints file ${file}: ${fileErrorReason(error)}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `Cannot read the checkpoints file ${file}: not JSON (${(error as Error).message}); fix or delete the file`,
    );
  }
  const shards = (content as Partial<CheckpointFileContent> | null)?.shards;
  if (typeof shards !== "object" || shards === null) {
    throw new InputError(
      `Cannot read the checkpoints file ${file}: expected {"shards": {"<shardId>": {...}}}; fix or delete the file`,
    );
  }
  const checkpoints = new Map<string, CheckpointPosition>();
  for (const [shardId, position] of Object.entries(shards)) {
    if (
      typeof position?.sequenceNumber !== "string" || !isComparable(position.sequenceNumber) ||
      !Number.isSafeInteger(position.subSequenceNumber ?? 0)
    ) {
      throw new InputError(
        `Cannot read the checkpoints file ${file}: shard ${shardId} needs a sequenceNumber of digits or a sentinel ` +
          "(TRIM_HORIZON, SHARD_END, …) and an integer subSequenceNumber; fix or delete the file",
      );
    }
    checkpoints.set(shardId, {
      sequenceNumber: position.sequenceNumber,
      subSequenceNumber: position.subSequenceNumber ?? 0,
    });
  }
  return checkpoints;
}

/**
 * Writes checkpoints to a file, atomically (temporary file, then rename), one
 * write at a time, coalescing updates that arrive during a write.
 */
export class CheckpointWriter {
  readonly #file: string;
  readonly #checkpoints: Map<string, CheckpointPosition>;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #error: Error | undefined;

  /** @param file where to write; @param initial the checkpoints loaded at start */
  constructor(file: string, initial: Map<string, CheckpointPosition>) {
    this.#file = file;
    this.#checkpoints = new Map(initial);
  }

  /** Records a shard's checkpoint and schedules a write. */
  update(shardId: string, position: CheckpointPosition): void {
    const current = this.#checkpoints.get(shardId);
    if (
      current?.sequenceNumber === position.sequenceNumber && current.subSequenceNumber === position.subSequenceNumber
    ) return;
    this.#checkpoints.set(shardId, position);
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  /** Waits for pending writes; rejects if one failed. */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (this.#error !== undefined) throw this.#error;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const shards = Object.fromEntries([...this.#checkpoints].sort(([a], [b]) => a.localeCompare(b)));
        const temporary = `${this.#file}.tmp`;
        await writeFile(temporary, JSON.stringify({ shards }, null, 2) + "\n");
        await rename(temporary, this.#file);
      }
    } catch (error) {
      this.#error ??= new Error(`Cannot write the checkpoints file ${this.#file}: ${(error as Error).message}`);
    } finally {
      this.#writing = undefined;
    }
  }
}
