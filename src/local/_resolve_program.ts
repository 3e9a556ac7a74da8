/**
 * Finds the program a child command names, once, before any shard starts:
 * a missing program is one clear message, not one spawn error per shard. A
 * runtime installed through npm (`npx deno`, `node_modules/.bin`) is often
 * not on `PATH`, so a child named like the runtime running this CLI falls
 * back to this runtime's executable.
 *
 * @module
 */

import { resolve } from "node:path";
import { findProgram } from "../cli/find_program.ts";

const RUNTIMES: ReadonlySet<string> = new Set(["deno", "bun", "node"]);

/** The program to spawn for the child command, or why there is none. */
export type ResolvedProgram = { readonly program: string } | { readonly error: string };

/**
 * `program` itself when it is found (on `path`, or as a file path); this
 * runtime's `execPath` when it is named after `runtime` and not on `path`;
 * otherwise what to check.
 */
export async function resolveProgram(
  program: string,
  runtime: string,
  execPath: string,
  path: string | undefined,
): Promise<ResolvedProgram> {
  if (await findProgram(program, { path }) !== undefined) return { program };
  if (RUNTIMES.has(program) && program === runtime) return { program: execPath };
  const isPath = program.includes("/") || program.includes("\\");
  return {
    error: isPath
      ? `Cannot start the consumer: no executable file at ${resolve(program)}; check the path after \`--\` and the ` +
        "file's execute permission"
      : `Cannot start the consumer: no program \`${program}\` on PATH; check the command after \`--\` (its spelling, ` +
        "that it is installed, that its folder is on PATH), or give its path",
  };
}
