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
import { checkpointLine } from "../protocol/encode_reply.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { describeError } from "./describe_error.ts";
import type { LogFunction } from "./logger.ts";
import type { Checkpointer } from "./record_processor.ts";
import { positionOfRecord } from "./record.ts";
import { backoffDelay, type ResolvedRetry } from "./retry.ts";
import { formatPosition, isSequenceNumber, type SequencePosition } from "./sequence.ts";

/** A position as written on the wire; `sequenceNumber: null` = largest permitted. */
export interface WirePosition {
  readonly sequenceNumber: string | null;
  readonly subSequenceNumber: number | null;
}

/** The actions during which the daemon executes checkpoints. */
export type CheckpointAction = "processRecords" | "shardEnded" | "shutdownRequested";

/** The checkpoint window of one action that handed out a checkpointer. */
export interface CheckpointWindow {
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
  /** The checkpointer user code gets for this window (made with it: one call less per batch). */
  readonly checkpointer: Checkpointer;
}

interface Request {
  readonly window: CheckpointWindow;
  readonly position: WirePosition;
  /** Set by the request's promise executor, as it is made. */
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Times written to the daemon. */
  attempts: number;
}

/** Options of {@linkcode CheckpointChannel}. */
export interface CheckpointChannelOptions {
  /**
   * Where request lines go (the session's transport): `writeLine` returns
   * nothing once written, or a promise when the write is still under way;
   * throws (or rejects) when it failed. Called as a method each time, so a
   * transport whose `writeLine` is replaced later writes through the new one.
   */
  readonly output: { writeLine(line: string): void | Promise<void> };
  /** Retries of throttled and dependency-failed checkpoints. */
  readonly retry: ResolvedRetry;
  readonly log: LogFunction;
  /** Source of jitter, for tests. */
  readonly random?: () => number;
}

/**
 * Sends checkpoints for a session and answers them from the daemon's
 * replies. A request is settled straight from the reply that answers it,
 * with no promise per step: this is on every small action's path.
 */
export class CheckpointChannel {
  readonly #options: CheckpointChannelOptions;
  /** The window of the action in flight, if it may checkpoint. */
  #open: CheckpointWindow | undefined;
  #deferred: Request[] = [];
  /** Requests of the open window waiting for the one on the wire. */
  #queued: Request[] = [];
  /** The request on the wire, or waiting to be retried. */
  #current: Request | undefined;
  /** Whether `#current` was written and its reply is due. */
  #awaitingReply = false;
  /** The timer of `#current`'s retry delay, while it runs. */
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #idle: (() => void)[] = [];
  /** Why no more checkpoints are possible (the lease is gone, or the session ended). */
  #ended: string | undefined;
  /** The request whose promise is being made (see `#executor`). */
  #making: Request | undefined;
  /** Every request's promise executor, made once: no closure per request on every small action's path. */
  readonly #executor = (resolve: () => void, reject: (error: unknown) => void): void => {
    const request = this.#making!;
    request.resolve = resolve;
    request.reject = reject;
  };

  constructor(options: CheckpointChannelOptions) {
    this.#options = options;
  }

  /**
   * Starts a checkpoint-capable action: requests deferred since the last one
   * are sent first, in the order they were made.
   */
  open(action: CheckpointAction, pinned: SequencePosition | undefined): CheckpointWindow {
    const checkpoint = (target?: SequencePosition | string, subSequenceNumber?: number): Promise<void> =>
      this.request(window, target, subSequenceNumber);
    const window: CheckpointWindow = {
      action,
      pinned,
      open: true,
      nullCheckpointed: false,
      checkpointer: { checkpoint } as Checkpointer,
    };
    this.#open = window;
    if (this.#deferred.length > 0) this.#sendDeferred();
    return window;
  }

  #sendDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const request of deferred) this.#enqueue(request);
  }

  /**
   * Closes the action's window once every request sent during it was
   * answered (including ones made by background code meanwhile): later
   * requests are deferred. Returns nothing when it closed at once, so
   * that the status goes out without waiting a microtask.
   */
  settled(window: CheckpointWindow): Promise<void> | undefined {
    if (this.#current === undefined) {
      // `#close`, in place: this runs once per small action.
      window.open = false;
      if (this.#open === window) this.#open = undefined;
      return undefined;
    }
    return (async () => {
      // Background code may start a request in the microtasks between the
      // drain and this resumption: check again, and close in the same turn.
      do await this.drain(); while (this.#busy());
      this.#close(window);
    })();
  }

  /** Waits until no request is queued or awaiting its reply; the window stays open. */
  async drain(): Promise<void> {
    while (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** A checkpoint request from `window`'s checkpointer. */
  request(window: CheckpointWindow, target?: SequencePosition | string, subSequenceNumber?: number): Promise<void> {
    // A record of a batch (the usual request): its position was validated with its message.
    let position: WirePosition | undefined = positionOfRecord(target);
    if (position === undefined) {
      try {
        position = positionFor(window, target, subSequenceNumber);
      } catch (error) {
        return Promise.reject(error);
      }
      if (position === undefined) return Promise.resolve();
    }
    const ended = this.#ended;
    if (ended !== undefined) return Promise.reject(shutdown(position, ended));
    const request: Request = { window, position, resolve: noop, reject: noop, attempts: 0 };
    this.#making = request;
    const promise = new Promise<void>(this.#executor);
    this.#making = undefined;
    // One request on the wire at a time; an idle channel sends at once.
    if (this.#open === undefined) this.#deferred.push(request);
    else if (this.#current !== undefined) this.#queued.push(request);
    else this.#send(request);
    return promise;
  }

  /** Hands a `checkpoint` message from the daemon to the request on the wire. */
  receive(reply: CheckpointReplyMessage): void {
    const request = this.#awaitingReply ? this.#current : undefined;
    if (request === undefined) {
      throw new ProtocolError(
        "unexpected-message",
        "Cannot match checkpoint reply: no checkpoint request is pending",
        JSON.stringify(reply),
      );
    }
    this.#awaitingReply = false;
    const { position } = request;
    if (
      reply.sequenceNumber !== position.sequenceNumber ||
      (reply.subSequenceNumber ?? 0) !== (position.subSequenceNumber ?? 0)
    ) {
      this.#options.log("warn", "Checkpoint reply does not echo the request; matching it first-in first-out", {
        requested: describeTarget(position, request.window),
        reply: reply.sequenceNumber === null
          ? "null"
          : formatPosition({ ...reply, sequenceNumber: reply.sequenceNumber }),
      });
    }
    if (reply.error === null) {
      if (position.sequenceNumber === null && request.window.open) request.window.nullCheckpointed = true;
      // `#finish`, in place: every small action's checkpoint ends here.
      this.#current = undefined;
      request.resolve();
      if (this.#queued.length > 0 || this.#idle.length > 0) this.#next();
      return;
    }
    const { attempts } = request;
    const error = new CheckpointError(reply.error, position, attempts > 1 ? `after ${attempts} attempts` : undefined);
    const { retry, log, random } = this.#options;
    if (!error.retryable || attempts >= retry.attempts) return this.#finish(request.reject, error);
    const delayMs = backoffDelay(attempts, retry, random);
    log("warn", "Checkpoint failed; retrying", {
      code: reply.error,
      attempt: attempts,
      delayMs,
      position: describeTarget(position, request.window),
    });
    // Still the current request: nothing else is sent meanwhile.
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#send(request);
    }, delayMs);
  }

  /**
   * Ends checkpointing: deferred, pending and retrying requests, and every
   * later one, reject with `ShutdownException` and `detail` (why).
   */
  end(detail: string): void {
    this.#ended ??= detail;
    const waiting = [...this.#deferred, ...this.#queued];
    this.#deferred = [];
    this.#queued = [];
    for (const request of waiting) request.reject(shutdown(request.position, detail));
    const current = this.#current;
    if (current !== undefined && (this.#awaitingReply || this.#retryTimer !== undefined)) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#awaitingReply = false;
      this.#finish(current.reject, shutdown(current.position, this.#ended));
    }
  }

  #close(window: CheckpointWindow): undefined {
    window.open = false;
    if (this.#open === window) this.#open = undefined;
    return undefined;
  }

  #busy(): boolean {
    return this.#current !== undefined;
  }

  #enqueue(request: Request): void {
    // One request on the wire at a time; an idle channel sends at once.
    if (this.#current !== undefined) this.#queued.push(request);
    else this.#send(request);
  }

  #send(request: Request): void {
    this.#current = request;
    const ended = this.#ended;
    // Untested, defensive: end() rejects the queue before any later send.
    if (ended !== undefined) return this.#finish(request.reject, shutdown(request.position, ended));
    request.attempts++;
    this.#awaitingReply = true;
    // Straight to the transport: no layer of the session's per request.
    let written: void | Promise<void>;
    try {
      written = this.#options.output.writeLine(checkpointLine(request.position));
    } catch (error) {
      return this.#writeFailed(request, writeFailed(error));
    }
    written?.catch((error: unknown) => this.#writeFailed(request, writeFailed(error)));
  }

  #writeFailed(request: Request, error: unknown): void {
    // Never wait for a reply to a line that was not written: it would shift FIFO matching.
    if (this.#current !== request || !this.#awaitingReply) return;
    this.#awaitingReply = false;
    this.#finish(request.reject, error);
  }

  /** Settles the current request, then sends the next one or wakes who waits for idleness. */
  #finish<T>(settle: (value: T) => void, value: T): void {
    this.#current = undefined;
    settle(value);
    this.#next();
  }

  /** No request is current: sends the next one queued, or wakes who waits for idleness. */
  #next(): void {
    if (this.#queued.length > 0) return this.#send(this.#queued.shift()!);
    if (this.#idle.length === 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const wake of idle) wake();
  }
}

/**
 * What a request for anything but a record of a batch (`positionOfRecord`) asks for; `undefined` when there is
 * nothing to commit.
 */
function positionFor(
  window: CheckpointWindow,
  target: SequencePosition | string | undefined,
  subSequenceNumber: number | undefined,
): WirePosition | undefined {
  const position = toWirePosition(target, subSequenceNumber);
  if (position.sequenceNumber !== null || window.open) return position;
  // The action is over: pin "largest permitted" to what it meant then,
  // never to whatever the daemon would mean by null now.
  if (window.pinned === undefined) return undefined;
  return {
    sequenceNumber: window.pinned.sequenceNumber,
    // Untested: only a KCL 1.x record carries a null subsequence number into a queued checkpoint.
    subSequenceNumber: window.pinned.subSequenceNumber ?? 0,
  };
}

function toWirePosition(target: SequencePosition | string | undefined, subSequenceNumber?: number): WirePosition {
  if (target === undefined || target === null) return NULL_POSITION;
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

const noop = (): void => {};

const NULL_POSITION: WirePosition = { sequenceNumber: null, subSequenceNumber: null };

/** What a request targets, in words: a null request means what its action permits. */
function describeTarget(position: WirePosition, window: CheckpointWindow): string {
  if (position.sequenceNumber !== null) {
    return formatPosition({ sequenceNumber: position.sequenceNumber, subSequenceNumber: position.subSequenceNumber });
  }
  if (window.action === "shardEnded") return "SHARD_END";
  const last = window.pinned === undefined ? "none yet" : formatPosition(window.pinned);
  return window.action === "processRecords"
    ? `the last record of the batch, ${last}`
    : `the last record delivered, ${last}`;
}

/** The error for a reply (a request or a status) the transport failed to write. */
export function writeFailed(error: unknown): Error {
  return new Error(`Cannot write a reply to the daemon: ${describeError(error)}`, { cause: error });
}

/** The error of a request that can no longer succeed: the lease is gone, or the session ended. */
function shutdown(position: WirePosition, detail: string): CheckpointError {
  return new CheckpointError("ShutdownException", position, detail);
}
