/**
 * The child's side of checkpointing: one request on the wire at a time,
 * replies matched first-in first-out, throttling retried with backoff, and
 * no request ever written outside a checkpoint-capable action (rule 3 of
 * PROTOCOL.md: a late line would be executed with the *next* action's
 * checkpointer and could commit records not yet processed).
 *
 * @module
 */

import type { CheckpointReplyMessage } from "../protocol/messages.ts";
import { encodeCheckpoint } from "../protocol/encode_reply.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import type { LogFunction } from "./logger.ts";
import type { Checkpointer } from "./record_processor.ts";
import { backoffDelay, type ResolvedRetry, sleep } from "./retry.ts";
import { isSequenceNumber, type SequencePosition } from "./sequence.ts";

/** A position as written on the wire; `sequenceNumber: null` = largest permitted. */
export interface WirePosition {
  readonly sequenceNumber: string | null;
  readonly subSequenceNumber: number | null;
}

/** The actions during which the daemon executes checkpoints. */
export type CheckpointAction = "processRecords" | "shardEnded" | "shutdownRequested";

/** One action that handed out a checkpointer. */
export interface CheckpointScope {
  readonly action: CheckpointAction;
  /**
   * What `checkpoint()` means once this action is over: the position it
   * meant while in flight, pinned; `undefined` when there is nothing to
   * commit (no record delivered yet, or after shard end).
   */
  readonly pinned: SequencePosition | undefined;
  /** Whether the action is in flight (a null request is sent as null). */
  open: boolean;
  /** Whether a null checkpoint succeeded during the action (shard end needs one). */
  nullCheckpointed: boolean;
}

interface Request {
  readonly scope: CheckpointScope;
  readonly position: WirePosition;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface ReplyWaiter {
  readonly position: WirePosition;
  readonly resolve: (reply: CheckpointReplyMessage) => void;
  readonly reject: (error: unknown) => void;
}

/** Why no more checkpoints are possible. */
interface Ended {
  readonly code: string;
  readonly detail: string;
}

/** Options of {@linkcode CheckpointChannel}. */
export interface CheckpointChannelOptions {
  /** Writes one encoded line to the daemon. */
  readonly send: (line: string) => Promise<void>;
  /** Retries of throttled and dependency-failed checkpoints. */
  readonly retry: ResolvedRetry;
  readonly log: LogFunction;
  /** Source of jitter, for tests. */
  readonly random?: () => number;
}

/** Sends checkpoints for a session and answers them from the daemon's replies. */
export class CheckpointChannel {
  readonly #options: CheckpointChannelOptions;
  #window: CheckpointScope | undefined;
  #deferred: Request[] = [];
  #waiters: ReplyWaiter[] = [];
  #tail: Promise<void> = Promise.resolve();
  #outstanding = 0;
  #idle: (() => void)[] = [];
  #ended: Ended | undefined;

  constructor(options: CheckpointChannelOptions) {
    this.#options = options;
  }

  /**
   * Starts a checkpoint-capable action: requests deferred since the last one
   * are sent first, in the order they were made.
   */
  open(action: CheckpointAction, pinned: SequencePosition | undefined): CheckpointScope {
    const scope: CheckpointScope = { action, pinned, open: true, nullCheckpointed: false };
    this.#window = scope;
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const request of deferred) this.#enqueue(request);
    return scope;
  }

  /**
   * Waits until every request sent during the action was answered (including
   * ones made by background code meanwhile), then closes the window: later
   * requests are deferred.
   */
  async settle(scope: CheckpointScope): Promise<void> {
    // Background code may start a request in the microtasks between the
    // drain and this resumption: check again, and close in the same turn.
    do await this.drain(); while (this.#outstanding > 0);
    scope.open = false;
    if (this.#window === scope) this.#window = undefined;
  }

  /** Waits until no request is queued or awaiting its reply; the window stays open. */
  async drain(): Promise<void> {
    while (this.#outstanding > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** The checkpointer user code gets for `scope`. */
  checkpointer(scope: CheckpointScope): Checkpointer {
    const checkpoint = (target?: SequencePosition | string, subSequenceNumber?: number): Promise<void> =>
      this.request(scope, target, subSequenceNumber);
    return { checkpoint } as Checkpointer;
  }

  /** A checkpoint request from `scope`'s checkpointer. */
  request(scope: CheckpointScope, target?: SequencePosition | string, subSequenceNumber?: number): Promise<void> {
    let position: WirePosition;
    try {
      position = toWirePosition(target, subSequenceNumber);
    } catch (error) {
      return Promise.reject(error);
    }
    if (position.sequenceNumber === null && !scope.open) {
      // The action is over: pin "largest permitted" to what it meant then,
      // never to whatever the daemon would mean by null now.
      if (scope.pinned === undefined) return Promise.resolve();
      position = {
        sequenceNumber: scope.pinned.sequenceNumber,
        subSequenceNumber: scope.pinned.subSequenceNumber ?? 0,
      };
    }
    const ended = this.#ended;
    if (ended !== undefined) return Promise.reject(new CheckpointError(ended.code, position, ended.detail));
    return new Promise<void>((resolve, reject) => {
      const request: Request = { scope, position, resolve, reject };
      if (this.#window !== undefined) this.#enqueue(request);
      else this.#deferred.push(request);
    });
  }

  /** Hands a `checkpoint` message from the daemon to the oldest request. */
  receive(reply: CheckpointReplyMessage): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      throw new ProtocolError(
        "unexpected-message",
        "Cannot match checkpoint reply: no checkpoint request is pending",
        JSON.stringify(reply),
      );
    }
    if (
      reply.sequenceNumber !== waiter.position.sequenceNumber ||
      (reply.subSequenceNumber ?? 0) !== (waiter.position.subSequenceNumber ?? 0)
    ) {
      this.#options.log("warn", "Checkpoint reply does not echo the request; matching it first-in first-out", {
        requested: waiter.position,
        reply,
      });
    }
    waiter.resolve(reply);
  }

  /**
   * Ends checkpointing: deferred and pending requests, and every later one,
   * reject with `code` (`ShutdownException` when the lease is gone).
   */
  end(code: string, detail: string): void {
    this.#ended ??= { code, detail };
    const { deferred, waiters } = { deferred: this.#deferred, waiters: this.#waiters };
    this.#deferred = [];
    this.#waiters = [];
    for (const request of deferred) request.reject(new CheckpointError(code, request.position, detail));
    for (const waiter of waiters) waiter.reject(new CheckpointError(code, waiter.position, detail));
  }

  #enqueue(request: Request): void {
    // One request on the wire at a time; an idle channel starts at once.
    const run = () => this.#complete(request);
    this.#tail = this.#outstanding++ === 0 ? run() : this.#tail.then(run);
  }

  async #complete(request: Request): Promise<void> {
    try {
      await this.#sendWithRetry(request.position);
      if (request.position.sequenceNumber === null && request.scope.open) request.scope.nullCheckpointed = true;
      request.resolve();
    } catch (error) {
      request.reject(error);
    } finally {
      if (--this.#outstanding === 0) {
        const idle = this.#idle;
        this.#idle = [];
        for (const wake of idle) wake();
      }
    }
  }

  async #sendWithRetry(position: WirePosition): Promise<void> {
    const { retry, log, random } = this.#options;
    for (let attempt = 1;; attempt++) {
      if (this.#ended !== undefined) throw new CheckpointError(this.#ended.code, position, this.#ended.detail);
      const reply = await this.#roundTrip(position);
      if (reply.error === null) return;
      const error = new CheckpointError(
        reply.error,
        position,
        attempt > 1 ? `after ${attempt} attempts` : undefined,
      );
      if (!error.retryable || attempt >= retry.attempts) throw error;
      const delay = backoffDelay(attempt - 1, retry, random);
      log("warn", "Checkpoint failed; retrying", { code: reply.error, attempt, delayMs: delay, position });
      await sleep(delay);
    }
  }

  #roundTrip(position: WirePosition): Promise<CheckpointReplyMessage> {
    return new Promise<CheckpointReplyMessage>((resolve, reject) => {
      const waiter: ReplyWaiter = { position, resolve, reject };
      this.#waiters.push(waiter);
      this.#options.send(encodeCheckpoint(position.sequenceNumber, position.subSequenceNumber)).catch((error) => {
        // Never leave a waiter that no reply will come for: it would shift FIFO matching.
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(error);
      });
    });
  }
}

function toWirePosition(target: SequencePosition | string | undefined, subSequenceNumber?: number): WirePosition {
  if (target === undefined || target === null) return { sequenceNumber: null, subSequenceNumber: null };
  const position = typeof target === "string"
    ? { sequenceNumber: target, subSequenceNumber: subSequenceNumber ?? 0 }
    : { sequenceNumber: target.sequenceNumber, subSequenceNumber: target.subSequenceNumber ?? 0 };
  if (!isSequenceNumber(position.sequenceNumber)) {
    throw new CheckpointError(
      "IllegalArgumentException",
      { sequenceNumber: String(position.sequenceNumber), subSequenceNumber: position.subSequenceNumber },
      "a sequence number is decimal digits",
    );
  }
  if (!Number.isSafeInteger(position.subSequenceNumber) || position.subSequenceNumber < 0) {
    throw new CheckpointError(
      "IllegalArgumentException",
      position,
      "a sub-sequence number is an integer >= 0",
    );
  }
  return position;
}
