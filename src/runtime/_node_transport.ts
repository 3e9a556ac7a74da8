/**
 * The session's transport over Node streams: lines split straight from the
 * `data` events, replies written through the stream's original `write`.
 *
 * @module
 */

import type { SessionTransport } from "../session/transport.ts";
import { closeOnce } from "./_exit_deadline.ts";
import { LineFeed } from "./_line_feed.ts";
import { MemoryReturn } from "./_memory_return.ts";
import type { StdioOptions } from "./_host.ts";
import { nodeReplyWriter } from "./_node_sync_write.ts";
import type { NodeInput } from "./_node_stdin.ts";

/** What the transport reads: Node's stdin (`_node_stdin.ts`), or a socket. */
export type NodeReadable = NodeInput;

/** A Node writable stream (stdout) and how much it still holds. */
export type NodeWritable = NodeJS.WritableStream & { readonly writableLength: number };

/**
 * Resolves once everything written to `stream` so far has been handed to
 * the OS (a write's callback comes after every earlier write's).
 */
export function nodeFlushed(
  stream: NodeWritable,
  write: NodeWritable["write"] = stream.write.bind(stream),
): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => void write("", () => resolve()));
}

/**
 * A transport over `input` and `output` (stdin and stdout), writing through
 * `output.write` as it is now — capture it before the stdout guard patches it.
 */
export function nodeTransport(
  input: NodeReadable,
  output: NodeWritable,
  options: StdioOptions = {},
  onClose: (deadline: number) => void = () => {},
): SessionTransport {
  const write = output.write.bind(output);
  // Small replies straight to the descriptor when the stream holds nothing (`_node_sync_write.ts`).
  const reply = options.replyFd === undefined ? write : nodeReplyWriter(output, options.replyFd, write);
  let failure: Error | undefined;
  let endInput: ((error: Error) => void) | undefined;
  // Without a listener an EPIPE would be an uncaught exception; the session cannot go on without stdout.
  output.on("error", (error: Error) => {
    failure ??= error;
    // A turn later: a write that failed at once rejects first, naming what it was writing.
    setTimeout(() => endInput?.(new Error(`Cannot write a reply to the daemon: ${error.message}`, { cause: error })));
  });
  let drained: Promise<void> | undefined;
  let feed: LineFeed | undefined;
  // The reader's memory for big lines first, then the splitter's and a collection.
  const memory = new MemoryReturn(() => {
    input.release?.();
    feed?.release();
  }, options.releaseAfterBig);
  return {
    read(listener) {
      const lines = new LineFeed(listener, options, memory);
      feed = lines;
      const detach = () => {
        input.off("data", onData);
        input.off("end", onEnd);
      };
      const finish = (error?: unknown) => {
        if (lines.done) return;
        detach();
        lines.finish(error);
      };
      // Never throw into Node's event emitter (an uncaught exception): the feed ends the listener instead.
      const onData = (chunk: Uint8Array) => {
        lines.push(chunk);
        if (lines.done) detach();
      };
      const onEnd = () => {
        detach();
        lines.end();
      };
      input.on("data", onData);
      input.on("end", onEnd);
      // Kept for good: an unhandled `error` event would be an uncaught exception.
      input.on("error", (error: Error) => finish(error));
      endInput = finish;
      return () => {
        if (lines.done) return;
        lines.stop();
        detach();
        input.destroy();
      };
    },
    actionAnswered: memory.answered,
    writeLine(line) {
      if (failure !== undefined) throw failure;
      let room: boolean;
      try {
        room = reply(line);
      } catch (error) {
        // A direct write failed (EPIPE): the stream would have said so with an `error` event.
        failure ??= error as Error;
        throw error;
      }
      if (room) return;
      // One wait for every write made under the same backpressure.
      drained ??= new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          output.off("drain", settle);
          output.off("error", settle);
          drained = undefined;
          if (error === undefined) resolve();
          else reject(error);
        };
        output.on("drain", settle);
        output.on("error", settle);
      });
      return drained;
    },
    // After a failed write there is nothing left to flush.
    close: closeOnce(onClose, () => failure !== undefined ? Promise.resolve() : nodeFlushed(output, write)),
  };
}
