/** How to run a script on the runtime running the tests. */

import process from "node:process";

/** `true` on Deno. */
export const isDeno: boolean = typeof (process.versions as Record<string, string | undefined>).deno === "string";

/** The runtime's name. */
export const runtimeName: "deno" | "bun" | "node" = isDeno
  ? "deno"
  : typeof (process.versions as Record<string, string | undefined>).bun === "string"
  ? "bun"
  : "node";

/** Command and arguments that run `script` (with `args`) on this runtime. */
export function scriptCommand(script: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, isDeno ? ["run", "--quiet", "--no-prompt", "-A", script, ...args] : [script, ...args]];
}

/** The absolute path of a file under tests/support/testing/. */
export function fixture(name: string): string {
  return new URL(`./${name}`, import.meta.url).pathname;
}

/** The repository root. */
export const repoRoot: string = new URL("../../../", import.meta.url).pathname;
