/**
 * Resolves `executableName` the way the daemon will run it: split on runs of
 * spaces (no quoting), the first word started from the daemon's working
 * folder, which is the launcher's (a bare name is searched on `PATH`, a path
 * resolves against that folder, never against the properties file's), and
 * file arguments opened by the consumer from that same folder.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { closestName } from "../cli/closest_name.ts";
import { findProgram } from "../cli/find_program.ts";
import { permissionRefusal } from "../runtime/cli.ts";

/** What will not be found at run time, and the fix. */
export interface ExecutableProblem {
  /** `executable-not-found` for the program, `script-not-found` for a file argument. */
  readonly rule: "executable-not-found" | "script-not-found";
  /** One sentence with the fix. */
  readonly message: string;
}

/** Where the daemon will look. */
export interface ExecutableContext {
  /** The daemon's working folder: the launcher's. */
  readonly cwd: string;
  /** The properties file (resolved against `cwd`), to recognise files placed beside it. */
  readonly propertiesFile: string | undefined;
  /** The `PATH` the daemon inherits. */
  readonly path: string;
}

// Programs a consumer is usually started with, for a did-you-mean on a typo.
const RUNTIMES = ["deno", "node", "bun", "npx", "tsx", "python3", "python", "ruby", "java", "sh", "bash", "dotnet"];
// Arguments with these extensions (or that start with `/`, `./`, `../`) name files the consumer opens.
const FILE_EXTENSION = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx|py|rb|sh|jar|php|pl)$/i;
// Options whose value is a module specifier or a classpath (`tsx/esm`, `ts-node/register`, `lib/*`), not a file.
const MODULE_OPTIONS = new Set([
  "--import",
  "--require",
  "-r",
  "--loader",
  "--experimental-loader",
  "--preload",
  "-cp",
  "-classpath",
  "--class-path",
  "-p",
  "--module-path",
  "-m",
]);

/** The problems with `executableName = value`, in word order (none when everything will be found). */
export async function checkExecutable(value: string, context: ExecutableContext): Promise<ExecutableProblem[]> {
  const words = value.trim().split(/ +/);
  const [program = "", ...args] = words;
  if (program === "") return [];
  const { cwd } = context;
  const besides = context.propertiesFile === undefined ? undefined : dirname(resolve(cwd, context.propertiesFile));
  const elsewhere = besides !== undefined && besides !== cwd ? besides : undefined;
  const rewrite = (index: number, replacement: string): string =>
    words.map((word, i) => i === index ? replacement : word).join(" ");
  const fix = (index: number, file: string): string => {
    const path = relative(cwd, file);
    const word = index === 0 && !path.includes("/") ? `./${path}` : path;
    const startThere = `start the launcher from ${elsewhere}`;
    // The daemon splits on spaces: a path with one cannot be written in executableName.
    return word.includes(" ") ? startThere : `${startThere}, or write \`executableName = ${rewrite(index, word)}\``;
  };
  const problems: ExecutableProblem[] = [];
  const where = `${cwd} (the daemon's working folder: the launcher's)`;

  if (isAbsolute(program) || program.includes("/")) {
    if (await findProgram(program, { path: undefined, cwd }) === undefined) {
      const there = elsewhere === undefined || isAbsolute(program)
        ? undefined
        : await findProgram(program, { path: undefined, cwd: elsewhere });
      problems.push({
        rule: "executable-not-found",
        message: there === undefined
          ? `\`executableName\` runs \`${program}\`, which is not an executable file from ${where}`
          : `\`executableName\` runs \`${program}\`, which is not in ${where} but in ${elsewhere}: ${fix(0, there)}`,
      });
    }
  } else if (await findProgram(program, { path: context.path }) === undefined) {
    const here = await findProgram(`./${program}`, { path: undefined, cwd });
    const there = elsewhere === undefined ? undefined : await findProgram(`./${program}`, {
      path: undefined,
      cwd: elsewhere,
    });
    let message = `\`executableName\` runs \`${program}\`, which is not on PATH`;
    if (here !== undefined) {
      message += `; the daemon does not look in its working folder: write \`executableName = ${
        rewrite(0, `./${program}`)
      }\``;
    } else if (there !== undefined) {
      message += ` but in ${elsewhere}: ${fix(0, there)}`;
    } else {
      const installed = await Promise.all(
        RUNTIMES.map(async (name) => (await findProgram(name, { path: context.path })) === undefined ? "" : name),
      );
      const suggestion = closestName(program, installed.filter((name) => name !== ""));
      message += suggestion === undefined ? ": install it, or give its path" : `; did you mean \`${suggestion}\`?`;
    }
    problems.push({ rule: "executable-not-found", message });
  }

  for (const [offset, arg] of args.entries()) {
    if (MODULE_OPTIONS.has(args[offset - 1] ?? "") || !namesFile(arg) || await exists(resolve(cwd, arg))) continue;
    const there = elsewhere === undefined || isAbsolute(arg) ? undefined : join(elsewhere, arg);
    problems.push({
      rule: "script-not-found",
      message: there !== undefined && await exists(there)
        ? `\`executableName\` passes \`${arg}\`, which is not in ${where} but in ${elsewhere}: ${
          fix(offset + 1, there)
        }`
        : `\`executableName\` passes \`${arg}\`, which does not exist in ${where}`,
    });
  }
  return problems;
}

/**
 * Whether `arg` names a file: a script or program extension, or a path that
 * starts with `/`, `./` or `../` (a bare `pkg/sub` is a module specifier).
 */
function namesFile(arg: string): boolean {
  if (arg.startsWith("-") || /^[a-z][a-z0-9+.-]*:/i.test(arg)) return false;
  return isAbsolute(arg) || arg.startsWith("./") || arg.startsWith("../") || FILE_EXTENSION.test(arg);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (permissionRefusal(error) !== undefined) throw error;
    return false;
  }
}
