/**
 * What the library needs from the runtime it runs on, as types only. One
 * adapter per runtime implements {@linkcode Host}; `_get_host.ts` picks it.
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";

/** The runtimes this module runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/** The signals a child of the daemon receives from a terminal's Ctrl+C or a supervisor. */
export type HostSignal = "SIGINT" | "SIGTERM";

/** Options of a runtime's stdio transport (the session gives the line cap: `LineListener.maxLineLength`). */
export interface StdioOptions {
  /** Runs a full garbage collection, once big batches are over (see `_memory_return.ts`). */
  readonly collectGarbage?: () => void;
  /** Whether stdin hands over a fresh buffer per read, so the line splitter keeps chunks uncopied. */
  readonly keepChunks?: boolean;
  /**
   * Lets a big batch's memory go as soon as it is answered, instead of after
   * the first small action that follows (which keeps it for back-to-back big
   * batches): in a shard host, every session keeping its last big buffer
   * adds up.
   */
  readonly releaseAfterBig?: boolean;
  /** Node: stdout's file descriptor, which small replies are written to directly (`_node_sync_write.ts`). */
  readonly replyFd?: number;
}

/**
 * How long a finished child waits for its queued stdout and stderr to reach
 * the parent before it exits anyway. The daemon drains stderr continuously,
 * so a healthy parent takes even megabytes of queued log in milliseconds;
 * 5 s covers a saturated host many times over, while a parent that stopped
 * reading delays the exit (and the shard's hand-off) by at most this.
 */
export const EXIT_FLUSH_MS = 5_000;

/** The runtime, as the session's process needs it. */
export interface Host {
  /** A faster base64 decoder than the Web platform's, where the runtime has one (the session's `decodeBase64`). */
  readonly decodeBase64?: ((base64: string) => Uint8Array) | undefined;
  /** An environment variable, or `undefined` when unset or not permitted (never prompts). */
  env(name: string): string | undefined;
  /**
   * Takes stdin and stdout for a session, then installs the stdout guard
   * (user `console.*` and stdout writes go to stderr): in this order, so
   * that the session holds the only way to the real stdout. Call once.
   * The transport's `close()` waits at most {@linkcode EXIT_FLUSH_MS} for
   * the replies to reach the parent. Its methods use no `this`: `run()`
   * calls them unbound.
   */
  takeStdio(): SessionTransport;
  /** Writes to stderr in order, never blocking the event loop on a full pipe. */
  writeStderr(text: string): void;
  /** Calls `handler` on `signal` instead of the default (terminate). */
  onSignal(signal: HostSignal, handler: () => void): void;
  /** Calls `handler` instead of the runtime's default for an uncaught exception or unhandled rejection. */
  onUncaughtError(handler: (error: unknown) => void): void;
  /**
   * Exits with `code` once what was written to stderr reached the parent,
   * or {@linkcode EXIT_FLUSH_MS} after the session's transport was closed,
   * whichever comes first; whatever timers user code left behind.
   */
  exit(code: number): Promise<never>;
}
