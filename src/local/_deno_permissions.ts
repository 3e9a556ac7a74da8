/**
 * A minimal up-front permission check under Deno, so that a run without
 * permissions fails once with the flags to add, instead of prompting or
 * failing per shard. To be replaced by the shared helper in `src/cli/`
 * (issue 13 §2); `main()` calls this once, before any work.
 *
 * @module
 */

interface DenoPermissions {
  permissions: { querySync(descriptor: { name: string }): { state: string } };
}

/** The flags to add under Deno for a run (`--allow-write` only with `--checkpoints`), or `undefined`. */
export function missingDenoPermissions(write: boolean): string[] | undefined {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  if (deno === undefined) return undefined;
  const names = ["run", "read", "env", ...(write ? ["write"] : [])];
  const missing = names.filter((name) => deno.permissions.querySync({ name }).state !== "granted");
  return missing.length === 0 ? undefined : missing.map((name) => `--allow-${name}`);
}
