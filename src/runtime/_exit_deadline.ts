/**
 * The one deadline of a child's exit: the stdio transport's `close()` sets
 * it ({@linkcode EXIT_FLUSH_MS} after the close, for the replies), and the
 * exit waits for stderr until the same moment, or that long from the exit
 * when no transport was closed. Every runtime's adapter uses this one.
 *
 * @module
 */

import { settledBy } from "./_bounded.ts";
import { EXIT_FLUSH_MS } from "./_host.ts";

/** The exit deadline an adapter shares between its transport and its `exit`. */
export interface ExitDeadline {
  /** For the transport's `onClose`: the moment its close stops waiting for the replies (epoch ms). */
  readonly closedAt: (deadline: number) => void;
  /** Resolves once `flushed` settles, or at the deadline (`false`) if it has not. */
  wait(flushed: Promise<unknown>): Promise<boolean>;
}

/** Creates the exit deadline of one process. */
export function exitDeadline(): ExitDeadline {
  let at: number | undefined;
  return {
    closedAt: (deadline) => void (at = deadline),
    wait: (flushed) => settledBy(flushed, at ?? Date.now() + EXIT_FLUSH_MS),
  };
}

/**
 * A stdio transport's `close()`: the first call sets the exit deadline
 * ({@linkcode EXIT_FLUSH_MS} from now), hands it to `onClose` and waits for
 * `flushed()` until then; later calls get the same promise.
 */
export function closeOnce(
  onClose: (deadline: number) => void,
  flushed: () => Promise<unknown>,
): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    if (closed !== undefined) return closed;
    const deadline = Date.now() + EXIT_FLUSH_MS;
    onClose(deadline);
    closed = settledBy(flushed(), deadline).then(() => {});
    return closed;
  };
}
