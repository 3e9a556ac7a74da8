/**
 * Picks the {@linkcode Host} adapter of the runtime running this code.
 *
 * @module
 */

import { createBunHost } from "./_bun_host.ts";
import { createDenoHost } from "./_deno_host.ts";
import { detectRuntime } from "./detect_runtime.ts";
import type { Host, RuntimeName } from "./host.ts";

let cached: Promise<Host> | undefined;

/** The host adapter for the current runtime, created once. */
export function getHost(): Promise<Host> {
  cached ??= createHost(detectRuntime());
  return cached;
}

async function createHost(runtime: RuntimeName): Promise<Host> {
  switch (runtime) {
    case "deno":
      return createDenoHost();
    case "bun":
      return createBunHost();
    case "node":
      // Loaded only on Node: it imports `node:process`, which Deno would load its Node layer for.
      return (await import("./_node_host.ts")).createNodeHost();
  }
}
