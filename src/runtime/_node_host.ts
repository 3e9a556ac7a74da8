/**
 * The Node adapter. Loaded only on Node (dynamically, from `_get_host.ts`).
 *
 * @module
 */

import process from "node:process";
import { nodeBase64Decoder } from "./_node_base64.ts";
import { nodeCollectGarbage } from "./_node_expose_gc.ts";
import { nodeStdin } from "./_node_stdin.ts";
import { nodeFlushed, nodeTransport } from "./_node_transport.ts";
import { patchProcessStdout } from "./_process_stdout.ts";
import { exitDeadline } from "./_exit_deadline.ts";
import type { Host } from "./_host.ts";

/** Creates the Node host adapter. */
export function createNodeHost(): Host {
  const deadline = exitDeadline();
  return {
    decodeBase64: nodeBase64Decoder(),
    env: (name) => process.env[name],
    takeStdio() {
      const transport = nodeTransport(
        // The daemon's pipe read straight (`_node_stdin.ts`); `process.stdin` is touched only for a file or a terminal.
        nodeStdin(() => process.stdin),
        process.stdout,
        // Node's stdin hands over a fresh buffer per read: the splitter need not copy them.
        { collectGarbage: nodeCollectGarbage(), keepChunks: true, replyFd: process.stdout.fd },
        deadline.closedAt,
      );
      // Node's console writes through process.stdout.write: this sends it to stderr too.
      patchProcessStdout(process);
      // A parent that closed stderr makes writes fail with EPIPE: there is nowhere left to report to.
      process.stderr.on("error", () => {});
      return transport;
    },
    // Asynchronous on a pipe: queued writes are flushed by `exit`.
    writeStderr: (text) => void process.stderr.write(text),
    onSignal: (signal, handler) => void process.on(signal, handler),
    onUncaughtError(handler) {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
    async exit(code) {
      // process.exit drops what a pipe has not taken yet.
      await deadline.wait(nodeFlushed(process.stderr));
      return process.exit(code);
    },
  };
}
