/**
 * The runtime as the two command-line programs (`src/local/`, the local
 * daemon; `src/launcher/`, the daemon's launcher) and their shared helpers
 * (`src/cli/`) use it: the process ({@linkcode cliProcess}) and Deno's
 * permissions, named by the flags that grant them. Other folders reach
 * `src/runtime/` only through this module, `shard_host_api.ts` (the shard host) and `run.ts`; its `_` files are
 * private to it.
 *
 * Internal: no package entry point exports this module, so it may change in
 * any release.
 *
 * @module
 */

export { type CliProcess, cliProcess } from "./_cli_process.ts";
export {
  formatMissingPermissions,
  formatRefusal,
  missingPermissions,
  permissionFlag,
  type PermissionName,
  type PermissionNeed,
  type PermissionRefusal,
  permissionRefusal,
} from "./_cli_permission.ts";
export type { HostSignal, RuntimeName } from "./_host.ts";
