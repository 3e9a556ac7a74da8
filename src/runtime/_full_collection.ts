/**
 * A full garbage collection on demand, for the shard host: after big
 * batches its heap holds their garbage until V8 (or JavaScriptCore) decides
 * to collect, hundreds of MiB for a host that takes many shards.
 *
 * @module
 */

import { detectRuntime } from "./_detect_runtime.ts";

/** Resolves with a function running one full collection (Bun's `Bun.gc`, V8's `gc` elsewhere). */
export async function fullCollection(): Promise<() => void> {
  if (detectRuntime() === "bun") {
    const bun = (globalThis as unknown as { Bun: { gc(force: boolean): void } }).Bun;
    return () => bun.gc(true);
  }
  // Deno and Node: V8's collector, exposed for this context only.
  const [v8, vm] = await Promise.all([import("node:v8"), import("node:vm")]);
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}
