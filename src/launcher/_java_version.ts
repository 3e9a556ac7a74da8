/**
 * Reads the Java major version from a `java -version` banner.
 *
 * @module
 */

/**
 * The major version in a `java -version` banner (`1.8.0_392` → 8,
 * `17.0.9` → 17, `21` → 21, `23-ea` → 23), or `undefined` when the banner
 * has no quoted version.
 */
export function parseJavaMajorVersion(banner: string): number | undefined {
  const version = /version "([^"]+)"/.exec(banner)?.[1];
  if (version === undefined) return undefined;
  // Up to Java 8 the major is the second number ("1.8.0_x"); from 9 on, the first.
  const match = /^1\.(\d+)/.exec(version) ?? /^(\d+)/.exec(version);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
