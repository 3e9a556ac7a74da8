/**
 * The default per-user cache folder for downloaded jars.
 *
 * @module
 */

import { join } from "node:path";

/**
 * `%LOCALAPPDATA%\kcl-multilang` on Windows, else `$XDG_CACHE_HOME/kcl-multilang`,
 * else `~/.cache/kcl-multilang`; `undefined` when none of these variables is set.
 */
export function defaultCacheDir(
  env: (name: string) => string | undefined,
  windows: boolean,
): string | undefined {
  const set = (name: string): string | undefined => {
    const value = env(name);
    return value === undefined || value === "" ? undefined : value;
  };
  if (windows) {
    const local = set("LOCALAPPDATA");
    if (local !== undefined) return join(local, "kcl-multilang");
    const profile = set("USERPROFILE");
    return profile === undefined ? undefined : join(profile, "AppData", "Local", "kcl-multilang");
  }
  const xdg = set("XDG_CACHE_HOME");
  if (xdg !== undefined) return join(xdg, "kcl-multilang");
  const home = set("HOME");
  return home === undefined ? undefined : join(home, ".cache", "kcl-multilang");
}
