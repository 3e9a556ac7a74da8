/**
 * Picks the {@linkcode Host} adapter of the runtime running this code.
 *
 * @module
 */

import { detectRuntime } from "./_detect_runtime.ts";
import type { Host, RuntimeName } from "./_host.ts";

let cached: Promise<Host> | undefined;

/** The host adapter for the current runtime, created once. */
export function getHost(): Promise<Host> {
  cached ??= createHost(detectRuntime());
  return cached;
}

/** Loads only the adapter of `runtime`: a child's start-up pays for no other runtime's code. */
async function createHost(runtime: RuntimeName): Promise<Host> {
  switch (runtime) {
    case "deno":
      return (await import("./_deno_host.ts")).createDenoHost();
    case "bun":
      return (await import("./_bun_host.ts")).createBunHost();
    case "node":
      return (await import("./_node_host.ts")).createNodeHost();
  }
}
