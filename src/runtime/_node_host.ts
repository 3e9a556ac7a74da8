/**
 * The Node adapter. Loaded only on Node (dynamically, from `_get_host.ts`).
 *
 * @module
 */

import process from "node:process";
import { settledBy } from "./_bounded.ts";
import { redirectConsole } from "./_console_guard.ts";
import { nodeFlushed, nodeTransport } from "./_node_transport.ts";
import { patchProcessStdout } from "./_process_stdout.ts";
import { EXIT_FLUSH_MS, type Host } from "./_host.ts";

/** Creates the Node host adapter. */
export function createNodeHost(): Host {
  let deadline: number | undefined;
  let gc: Promise<() => void> | undefined;
  return {
    runtime: "node",
    env: (name) => process.env[name],
    takeStdio(options = {}) {
      const collectGarbage = () => {
        // Loaded after the first big batch only: a child that never sees one does not pay for it at start-up.
        gc ??= Promise.all([import("node:v8"), import("node:vm")]).then(([v8, vm]) => {
          v8.setFlagsFromString("--expose-gc");
          return vm.runInNewContext("gc") as () => void;
        });
        void gc.then((collect) => collect());
      };
      const transport = nodeTransport(
        process.stdin,
        process.stdout,
        { ...options, collectGarbage },
        (at) => deadline = at,
      );
      // Node's console.error writes to process.stderr, asynchronously on a pipe.
      redirectConsole(console.error.bind(console), false);
      patchProcessStdout(process);
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
