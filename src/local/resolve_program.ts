/**
 * Finds the program a child command names. A runtime installed through npm
 * (`npx deno`, `node_modules/.bin`) is often not on `PATH`, so a child named
 * like the runtime running this CLI falls back to this runtime's executable.
 *
 * @module
 */

import { findProgram } from "../cli/find_program.ts";

const RUNTIMES: ReadonlySet<string> = new Set(["deno", "bun", "node"]);

/**
 * `program` itself, unless it is `deno`, `bun` or `node`, equal to `runtime`
 * and not found on `path`: then `execPath`.
 */
export async function resolveProgram(
  program: string,
  runtime: string,
  execPath: string,
  path: string | undefined,
): Promise<string> {
  if (!RUNTIMES.has(program) || program !== runtime) return program;
  return await findProgram(program, { path }) === undefined ? execPath : program;
}
