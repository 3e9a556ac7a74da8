/**
 * Node's collector, for giving big batches' memory back (`_memory_return.ts`):
 * `--expose-gc` set at run time, and `node:v8`/`node:vm` loaded only after
 * the first big batch, so that a child that never sees one does not pay for
 * them at start-up. PSS kept after a 20 MB batch: 87 -> 67 MiB (bench/README.md,
 * "Speed measures of the runtime layer").
 *
 * @module
 */

/** A function that runs a full collection, loading what it needs on first use. */
export function nodeCollectGarbage(): () => void {
  let gc: Promise<() => void> | undefined;
  return () => {
    gc ??= Promise.all([import("node:v8"), import("node:vm")]).then(([v8, vm]) => {
      v8.setFlagsFromString("--expose-gc");
      return vm.runInNewContext("gc") as () => void;
    });
    void gc.then((collect) => collect());
  };
}
