/**
 * Spreads connections evenly over host processes that accept on one
 * socket. Every process is woken for each new connection and the first to
 * run takes all that are queued, so a burst of relays (the daemon starting
 * its leases) can land mostly on one process, which then caps the
 * throughput of all (`bench/HOST.md`). So each process pauses after an
 * accept, with `Atomics.wait` (its event loop must not take the next
 * connection meanwhile): 1 ms while it holds no more than its share, and
 * up to 20 ms while it holds more, until the others have taken theirs.
 * The processes' live session counts sit in a small file beside the
 * socket, one 32-bit slot per process, that the supervisor makes and names
 * in {@linkcode COUNTS_FILE_VARIABLE}.
 *
 * Internal: no package entry point exports this module, so it may change in
 * any release.
 *
 * @module
 */

import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { open, unlink } from "node:fs/promises";

/** The environment variable naming the session counts file (beside the socket). */
export const COUNTS_FILE_VARIABLE = "KCL_HOST_COUNTS_FILE";
/** The environment variable giving a host process its slot in the counts file (0 to processes - 1). */
export const INDEX_VARIABLE = "KCL_HOST_INDEX";

/** The pause after an accept while a process holds no more than its share (the idea of libuv's `UV_TCP_SINGLE_ACCEPT`). */
const SHARE_PAUSE_MS = 1;
/** The longest pause after an accept while a process holds more than its share. */
const OVER_SHARE_PAUSE_MS = 20;
const SLOT_BYTES = 4;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * Whether a process holding `own` of the live sessions in `counts` (every
 * process's, its own included) holds more than its share: more than the
 * total divided by the processes, rounded up.
 */
export function overShare(own: number, counts: ArrayLike<number>): boolean {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  return own > Math.ceil(total / counts.length);
}

/** The supervisor's side: the counts file for `processes` host processes, and each one's environment. */
export interface SessionCountsFile {
  /** The file's absolute path. */
  readonly path: string;
  /** The environment of host process `index`. */
  environment(index: number): Record<string, string>;
  /** Removes the file. */
  remove(): Promise<void>;
}

/** Makes the counts file of `processes` host processes beside `socketPath` (only its owner may read it). */
export async function createSessionCounts(socketPath: string, processes: number): Promise<SessionCountsFile> {
  const path = `${socketPath}.sessions`;
  await unlink(path).catch(() => {});
  const file = await open(path, "wx", 0o600);
  try {
    await file.write(new Uint8Array(processes * SLOT_BYTES), 0, processes * SLOT_BYTES, 0);
  } finally {
    await file.close();
  }
  return {
    path,
    environment: (index) => ({ [COUNTS_FILE_VARIABLE]: path, [INDEX_VARIABLE]: String(index) }),
    remove: () => unlink(path).catch(() => {}),
  };
}

/**
 * A host process's side: publishes its live session count and pauses
 * after each accept as its share says. Without a counts file (another
 * supervisor), every accept is followed by the 1 ms pause alone.
 */
export class AcceptBalance {
  readonly #fd: number | undefined;
  readonly #offset: number;
  readonly #slots: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #own = new Uint32Array(1);

  private constructor(fd: number | undefined, index: number, processes: number) {
    this.#fd = fd;
    this.#offset = index * SLOT_BYTES;
    this.#slots = new Uint32Array(processes);
    this.#bytes = new Uint8Array(this.#slots.buffer);
  }

  /**
   * The balance of a host process started with the environment `env`
   * reads: the counts file and its slot, when the supervisor made one.
   * Throws an error naming the variable when they are set but unusable.
   */
  static open(env: (name: string) => string | undefined): AcceptBalance {
    const path = env(COUNTS_FILE_VARIABLE);
    if (path === undefined || path === "") return new AcceptBalance(undefined, 0, 1);
    const cannot = `Cannot share the sessions with the other host processes (${COUNTS_FILE_VARIABLE}=${path})`;
    const index = Number(env(INDEX_VARIABLE));
    let fd: number;
    try {
      fd = openSync(path, "r+");
    } catch (error) {
      throw new Error(`${cannot}: ${(error as Error).message}`, { cause: error });
    }
    const processes = readSlots(fd, new Uint8Array(1024 * SLOT_BYTES)) / SLOT_BYTES;
    if (!Number.isInteger(index) || index < 0 || index >= processes) {
      closeSync(fd);
      throw new Error(`${cannot}: ${INDEX_VARIABLE} must name a slot from 0 to ${processes - 1}`);
    }
    return new AcceptBalance(fd, index, processes);
  }

  /** Publishes this process's live session count. */
  publish(live: number): void {
    if (this.#fd === undefined) return;
    this.#own[0] = live;
    writeSync(this.#fd, new Uint8Array(this.#own.buffer), 0, SLOT_BYTES, this.#offset);
  }

  /** After accepting a connection (`live` sessions now): publishes the count and pauses as the share says. */
  accepted(live: number): void {
    this.publish(live);
    sleep(SHARE_PAUSE_MS);
    if (this.#fd === undefined) return;
    for (let waited = SHARE_PAUSE_MS; waited < OVER_SHARE_PAUSE_MS; waited += SHARE_PAUSE_MS) {
      readSlots(this.#fd, this.#bytes);
      if (!overShare(live, this.#slots)) return;
      sleep(SHARE_PAUSE_MS);
    }
  }

  /** Publishes zero sessions and closes the file. */
  close(): void {
    if (this.#fd === undefined) return;
    this.publish(0);
    closeSync(this.#fd);
  }
}

function readSlots(fd: number, into: Uint8Array): number {
  return readSync(fd, into, 0, into.length, 0);
}
