/**
 * Deno permissions, named the way a user fixes them: by the flag that grants
 * them. Both CLIs use it twice: up front, to refuse at once (listing every
 * flag missing) instead of failing halfway or in every child; and on any
 * error, to tell a permission refusal from a real failure ("HOME is not set"
 * when Deno only refused to read it).
 *
 * On Bun and Node, which have no permission prompts by default, nothing is
 * ever missing and no error is a refusal.
 *
 * ```ts ignore
 * // Up front, in a CLI's main (an illustration):
 * const missing = missingPermissions([
 *   { name: "env", why: "to pass the environment to the consumer" },
 *   { name: "run", why: "to start the consumer" },
 * ]);
 * if (missing.length > 0) {
 *   process.stderr.write(`error: Cannot start: ${formatMissingPermissions(missing)}\n`);
 *   return 2;
 * }
 * // On any error:
 * const refusal = permissionRefusal(error);
 * if (refusal !== undefined) process.stderr.write(`error: ${formatRefusal(refusal)}\n`);
 * ```
 *
 * @module
 */

/** The Deno permissions, as in `--allow-<name>`. */
export type PermissionName = "env" | "read" | "write" | "net" | "run" | "sys" | "ffi" | "import";

const NAMES: readonly PermissionName[] = ["env", "read", "write", "net", "run", "sys", "ffi", "import"];

/** A permission a CLI needs, and why (said in the message when it is missing). */
export interface PermissionNeed {
  /** Which permission. */
  readonly name: PermissionName;
  /**
   * What it is for: the variable (`env`), path (`read`, `write`, `ffi`),
   * `host[:port]` (`net`, `import`), program (`run`) or API (`sys`); absent: all of them.
   */
  readonly target?: string | undefined;
  /** Why the CLI needs it, e.g. `"to read the properties file"`. */
  readonly why: string;
}

/** A permission Deno refused, as read from the error it threw. */
export interface PermissionRefusal {
  /** Which permission. */
  readonly name: PermissionName;
  /** The variable, path, host or program it was refused for, if the error says. */
  readonly target: string | undefined;
  /** The flag that grants it, e.g. `--allow-env`. */
  readonly flag: string;
}

/**
 * The flag that grants `name`: `--allow-<name>`.
 *
 * @example
 * ```ts
 * import { permissionFlag } from "./_cli_permission.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(permissionFlag("env"), "--allow-env");
 * ```
 */
export function permissionFlag(name: PermissionName): string {
  return `--allow-${name}`;
}

/**
 * The permission refusal `error`, or an error in its `cause` chain, reports
 * (Deno's `NotCapable`, formerly `PermissionDenied`), or `undefined` when it
 * is not one.
 *
 * @example Read a refusal
 * ```ts
 * import { formatRefusal, permissionRefusal } from "./_cli_permission.ts";
 * import assert from "node:assert/strict";
 *
 * const denied = Object.assign(new Error('Requires env access to "HOME", run again with the --allow-env flag'), {
 *   name: "NotCapable",
 * });
 * const refusal = permissionRefusal(new Error("Cannot choose a cache folder", { cause: denied }));
 * assert.deepEqual(refusal, { name: "env", target: "HOME", flag: "--allow-env" });
 * assert.equal(formatRefusal(refusal!), 'Deno refused env access to "HOME": run again with --allow-env');
 * assert.equal(permissionRefusal(new Error("HOME is not set")), undefined);
 * ```
 */
export function permissionRefusal(error: unknown): PermissionRefusal | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current.name !== "NotCapable" && current.name !== "PermissionDenied") continue;
    const match = /Requires (\w+) access(?: to "([^"]*)")?/.exec(current.message);
    const name = NAMES.find((candidate) => candidate === match?.[1]);
    if (name !== undefined) return { name, target: match?.[2], flag: permissionFlag(name) };
  }
  return undefined;
}

/**
 * One sentence naming a refusal and its flag, e.g.
 * `Deno refused env access to "HOME": run again with --allow-env`.
 */
export function formatRefusal(refusal: PermissionRefusal): string {
  const target = refusal.target === undefined ? "" : ` to "${refusal.target}"`;
  return `Deno refused ${refusal.name} access${target}: run again with ${refusal.flag}`;
}

interface DenoPermissions {
  querySync(descriptor: { readonly name: PermissionName }): { readonly state: string };
}

/**
 * The needs not granted now, in the order given. On Deno it asks
 * `Deno.permissions.querySync`, which never prompts; a permission in the
 * `prompt` state counts as missing, because a CLI should not stop halfway to
 * ask (or, without a terminal, fail in every child). On Bun and Node: none.
 *
 * @example Everything is granted when nothing asks
 * ```ts
 * import { missingPermissions } from "./_cli_permission.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(missingPermissions([]), []);
 * ```
 */
export function missingPermissions(needs: readonly PermissionNeed[]): PermissionNeed[] {
  const permissions = (globalThis as unknown as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (permissions === undefined) return [];
  return needs.filter((need) => permissions.querySync(descriptor(need)).state !== "granted");
}

function descriptor(need: PermissionNeed): { readonly name: PermissionName } {
  if (need.target === undefined) return { name: need.name };
  const field = {
    env: "variable",
    read: "path",
    write: "path",
    ffi: "path",
    net: "host",
    import: "host",
    run: "command",
    sys: "kind",
  }[need.name];
  return { name: need.name, [field]: need.target };
}

/**
 * One sentence listing what is missing and every flag that grants it, in a
 * stable order, e.g. `Deno has not granted env access (to read HOME) and
 * net access to "repo1.maven.org" (to download jars): run again with
 * --allow-env --allow-net`.
 *
 * @example
 * ```ts
 * import { formatMissingPermissions } from "./_cli_permission.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatMissingPermissions([
 *     { name: "run", target: "java", why: "to start the daemon" },
 *     { name: "env", why: "to read JAVA_HOME" },
 *   ]),
 *   'Deno has not granted run access to "java" (to start the daemon) and env access (to read JAVA_HOME): ' +
 *     "run again with --allow-env --allow-run",
 * );
 * ```
 */
export function formatMissingPermissions(missing: readonly PermissionNeed[]): string {
  const parts = missing.map((need) =>
    `${need.name} access${need.target === undefined ? "" : ` to "${need.target}"`} (${need.why})`
  );
  const list = parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
  const flags = NAMES.filter((name) => missing.some((need) => need.name === name)).map(permissionFlag);
  return `Deno has not granted ${list}: run again with ${flags.join(" ")}`;
}
