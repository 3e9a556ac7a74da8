/**
 * Which runtime is running this code.
 *
 * @module
 */

import type { RuntimeName } from "./_host.ts";

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
