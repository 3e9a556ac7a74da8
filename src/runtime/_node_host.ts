/**
 * The Node adapter. Loaded only on Node (dynamically, from `_get_host.ts`).
 *
 * @module
 */

import process from "node:process";
import { settledBy } from "./_bounded.ts";
import { nodeBase64Decoder } from "./_node_base64.ts";
import { nodeCollectGarbage } from "./_node_expose_gc.ts";
import { nodeStdin } from "./_node_stdin.ts";
import { nodeFlushed, nodeTransport } from "./_node_transport.ts";
import { patchProcessStdout } from "./_process_stdout.ts";
import { EXIT_FLUSH_MS, type Host } from "./_host.ts";

/** Creates the Node host adapter. */
export function createNodeHost(): Host {
  let deadline: number | undefined;
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
        (at) => deadline = at,
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
      await settledBy(nodeFlushed(process.stderr), deadline ?? Date.now() + EXIT_FLUSH_MS);
      return process.exit(code);
    },
  };
}
