/**
 * Looks programs up the way a process spawn does: a name with a path
 * separator is a file path, a bare name is searched on `PATH`.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { permissionRefusal } from "../runtime/cli.ts";

/**
 * Where and how to look for a program.
 *
 * @example Search a folder given as the `PATH`
 * ```ts
 * import { findProgram, type FindProgramOptions } from "./find_program.ts";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const bin = await mkdtemp(join(tmpdir(), "find-program-"));
 * await writeFile(join(bin, "consumer"), "#!/bin/sh\n", { mode: 0o755 });
 * const options: FindProgramOptions = { path: bin, windows: false };
 * assert.equal(await findProgram("consumer", options), join(bin, "consumer"));
 * assert.equal(await findProgram("consumer", { ...options, path: undefined }), undefined);
 * await rm(bin, { recursive: true });
 * ```
 */
export interface FindProgramOptions {
  /** The `PATH` value to search (`undefined`: search nothing). */
  readonly path: string | undefined;
  /** Folder relative paths resolve against (default: the current folder). */
  readonly cwd?: string;
  /** `PATHEXT` on Windows (default `.EXE;.CMD;.BAT;.COM`). */
  readonly pathExt?: string | undefined;
  /** Whether this is Windows (default: `path.delimiter` is `;`). */
  readonly windows?: boolean;
}

/**
 * The absolute path of the executable `program`, or `undefined`: a name with
 * a path separator resolves against `cwd`, a bare name is searched on `path`.
 */
export async function findProgram(
  program: string,
  options: FindProgramOptions,
): Promise<string | undefined> {
  const windows = options.windows ?? delimiter === ";";
  const extensions = windows
    ? [
      "",
      ...(options.pathExt ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e !== ""),
    ]
    : [""];
  const candidates = (base: string): string[] => extensions.map((ext) => base + ext);
  if (
    isAbsolute(program) || program.includes("/") ||
    (windows && program.includes("\\"))
  ) {
    return firstExecutable(
      candidates(resolve(options.cwd ?? ".", program)),
      windows,
    );
  }
  for (const folder of (options.path ?? "").split(windows ? ";" : ":")) {
    if (folder === "") continue;
    const found = await firstExecutable(
      candidates(join(folder, program)),
      windows,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Whether `file` is a regular file with an execute bit (any file on Windows).
 * A permission refusal (Deno) is thrown, not taken for "no such file".
 */
export async function isExecutableFile(
  file: string,
  windows = delimiter === ";",
): Promise<boolean> {
  try {
    const info = await stat(file);
    // Windows has no execute bit: existence is what a spawn checks. Elsewhere
    // any execute bit counts: `access(X_OK)` needs an extra permission under Deno's sandbox.
    return info.isFile() && (windows || (info.mode & 0o111) !== 0);
  } catch (error) {
    if (permissionRefusal(error) !== undefined) throw error;
    return false;
  }
}

async function firstExecutable(
  files: string[],
  windows: boolean,
): Promise<string | undefined> {
  for (const file of files) {
    if (await isExecutableFile(file, windows)) return file;
  }
  return undefined;
}
