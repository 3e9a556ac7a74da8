/**
 * Which shard session is running: each session's lines are handled inside
 * its own async context, so that everything its processor starts (promises,
 * timers) knows the shard: for the console's tags and for an uncaught error.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { RecordProcessor } from "../session/record_processor.ts";
import type { SessionTransport } from "../session/transport.ts";

/** One connection's session, as its async context knows it. */
export class ShardContext {
  /** The connection's number in this host (from 1). */
  readonly connection: number;
  /** The shard, once `initialize` arrived. */
  shardId: string | null = null;
  #fail: ((error: Error) => void) | undefined;

  /**
   * Creates the context of connection number `connection`.
   *
   * @param connection the connection's number
   */
  constructor(connection: number) {
    this.connection = connection;
  }

  /** How this session is named in logs: its shard, else its connection. */
  get label(): string {
    return this.shardId ?? `connection-${this.connection}`;
  }

  /** Fails the session (as a child's uncaught error fails its process): no status, the connection closes. */
  fail(error: Error): void {
    this.#fail?.(error);
  }

  /**
   * `transport`, with the session's lines delivered inside this context (so
   * the processor runs in it) and a way for {@linkcode ShardContext.fail} to
   * end the session.
   */
  bind(transport: SessionTransport): SessionTransport {
    return {
      read: (listener) => {
        let ended = false;
        const end = (error?: unknown) => {
          if (ended) return;
          ended = true;
          shardStorage.run(this, () => listener.end(error));
        };
        this.#fail = (error) => end(error);
        return transport.read({
          ...(listener.maxLineLength === undefined ? {} : { maxLineLength: listener.maxLineLength }),
          line: (text) => shardStorage.run(this, () => listener.line(text)),
          end,
        });
      },
      writeLine: (line) => transport.writeLine(line),
      actionAnswered: () => transport.actionAnswered?.(),
      close: () => transport.close(),
    };
  }

  /** `processor`, noting the shard id when `initialize` arrives (each method called on `processor` itself). */
  track(processor: RecordProcessor): RecordProcessor {
    return {
      initialize: (input) => {
        this.shardId = input.shardId;
        return processor.initialize?.(input);
      },
      processRecords: (input) => processor.processRecords(input),
      leaseLost: (input) => processor.leaseLost?.(input),
      shardEnded: (input) => processor.shardEnded?.(input),
      shutdownRequested: (input) => processor.shutdownRequested?.(input),
    };
  }
}

/** The async context of the session running now, if any. */
export const shardStorage: AsyncLocalStorage<ShardContext> = new AsyncLocalStorage<ShardContext>();
