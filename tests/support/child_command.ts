/**
 * How to start a TypeScript file as a child on the runtime running the tests.
 */

import process from "node:process";
import { fileURLToPath } from "node:url";

/** The runtime running this test file. */
export const runtime: "deno" | "bun" | "node" = process.versions.deno !== undefined
  ? "deno"
  : process.versions.bun !== undefined
  ? "bun"
  : "node";

/** Absolute path of a file given relative to the repository root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/**
 * `[executable, args]` that run `script` (with `scriptArgs`) on this runtime.
 * On Deno the child gets no permission flags unless given: a consumer must
 * run without any. (The FakeDaemon runs it with exactly these flags; Deno's
 * own node:child_process would grant every permission to a `deno run` of
 * `process.execPath` without flags.)
 */
export function childCommand(
  script: string,
  denoFlags: readonly string[] = [],
  scriptArgs: readonly string[] = [],
): [string, string[]] {
  return runtime === "deno"
    ? [process.execPath, ["run", "--quiet", "--no-prompt", ...denoFlags, script, ...scriptArgs]]
    : [process.execPath, [script, ...scriptArgs]];
}
