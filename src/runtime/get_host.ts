/**
 * Picks the {@linkcode Host} adapter of the runtime running this code.
 *
 * @module
 */

import { createBunHost } from "./_bun_host.ts";
import { createDenoHost } from "./_deno_host.ts";
import type { Host, RuntimeName } from "./host.ts";

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
}

/** Which runtime is running this code, without touching Node-only globals. */
export function detectRuntime(): RuntimeName {
  const globals = globalThis as RuntimeGlobals;
  // Deno first: Deno 2 also defines `process`; Bun defines `process` too.
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  return "node";
}

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
