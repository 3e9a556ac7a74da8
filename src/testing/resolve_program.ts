/**
 * Finds the program a child command names. A runtime installed through npm
 * (`npx deno`, `node_modules/.bin`) is often not on `PATH`, so a child named
 * like the runtime running this CLI falls back to this runtime's executable.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { delimiter, join } from "node:path";

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
  const windows = delimiter === ";";
  for (const folder of (path ?? "").split(delimiter)) {
    if (folder === "") continue;
    for (const name of windows ? [`${program}.exe`, `${program}.cmd`, program] : [program]) {
      try {
        // stat, not access(X_OK): on Deno that needs --allow-sys for the uid.
        const info = await stat(join(folder, name));
        if (info.isFile() && (windows || (info.mode & 0o111) !== 0)) return program;
      } catch {
        // Not in this folder.
      }
    }
  }
  return execPath;
}
