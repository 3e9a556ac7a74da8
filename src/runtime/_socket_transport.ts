/**
 * A shard session's transport over one socket connection of the shard host:
 * the Node transport's line splitting and ordered writes, and a close that
 * ends the connection (a child's stdout ends with its process; a socket must
 * be ended).
 *
 * @module
 */

import type { Socket } from "node:net";
import type { SessionTransport } from "../session/transport.ts";
import { EXIT_FLUSH_MS } from "./_host.ts";
import { nodeTransport } from "./_node_transport.ts";

/** Options of {@linkcode socketTransport}. */
export interface SocketTransportOptions {
  /** Asks for a full collection after big batches (the host coalesces these across sessions). */
  readonly collectGarbage?: () => void;
}

/**
 * A transport over `socket` (both directions). Once a big batch is
 * answered, the splitter lets its buffer go and `collectGarbage` is asked
 * for a full collection (a child waits for the next small action). `close()` waits
 * at most {@linkcode EXIT_FLUSH_MS} for the replies to be handed on, then
 * ends the connection, and destroys it once that end is sent (or after the
 * same bound, for a peer that stopped reading).
 */
export function socketTransport(socket: Socket, options: SocketTransportOptions = {}): SessionTransport {
  // Each session lets its big buffer go at once: hundreds of sessions keeping one each would add up to gigabytes.
  const inner = nodeTransport(socket, socket, { ...options, releaseAfterBig: true });
  let closed: Promise<void> | undefined;
  return {
    read(listener) {
      let ended = false;
      const once = {
        ...(listener.maxLineLength === undefined ? {} : { maxLineLength: listener.maxLineLength }),
        line: (text: string) => listener.line(text),
        end(error?: unknown) {
          if (ended) return;
          ended = true;
          listener.end(error);
        },
      };
      // A connection destroyed or reset ends without an `end` event: the session must end too.
      socket.once("close", () => once.end(new Error("Cannot read the daemon's input: the connection closed")));
      return inner.read(once);
    },
    writeLine: (line) => inner.writeLine(line),
    actionAnswered: () => inner.actionAnswered?.(),
    close() {
      closed ??= inner.close().then(() => {
        if (socket.destroyed) return;
        const timer = setTimeout(() => socket.destroy(), EXIT_FLUSH_MS);
        socket.once("close", () => clearTimeout(timer));
        socket.end(() => socket.destroy());
      });
      return closed;
    },
  };
}
