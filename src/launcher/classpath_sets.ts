/**
 * The jar lists that form the MultiLangDaemon's runtime classpath, one per
 * supported KCL release. The lists are data (`classpath_sets.json`), generated
 * by `.ci/classpath_sets.ts` from the project's research file, which records
 * where each list comes from:
 *
 * - KCL 3.1.3 (the default): verbatim the list AWS's Node.js wrapper downloads
 *   (the Python, .NET and Ruby wrappers pin the same KCL release).
 * - KCL 2.7.2: verbatim the list `aws-kcl@2.3.2`'s `kcl-bootstrap` downloads.
 * - KCL 3.5.1 (experimental): derived from the 3.1.3 list and the KCL 3.5.1
 *   poms; never resolved with Maven nor run (see its `unverified` points).
 *
 * @module
 */

import data from "./classpath_sets.json" with { type: "json" };
import { type MavenArtifact, parseArtifactName } from "./maven_artifact.ts";

/**
 * A named, pinned set of jars that runs the daemon (pass your own to
 * `launch` as its `classpathSet` option).
 *
 * @example Add a jar to the default set
 * ```ts
 * import { type ClasspathSet, DEFAULT_KCL_VERSION, findClasspathSet } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * const base = findClasspathSet(DEFAULT_KCL_VERSION);
 * assert.ok(base !== undefined);
 * const withAgent: ClasspathSet = {
 *   ...base,
 *   basis: `${base.basis}, plus our metrics agent`,
 *   artifacts: [...base.artifacts, { groupId: "com.example", artifactId: "metrics-agent", version: "1.2.0" }],
 * };
 * assert.equal(withAgent.artifacts.length, base.artifacts.length + 1);
 * assert.equal(withAgent.artifacts.at(-1)?.artifactId, "metrics-agent");
 * ```
 */
export interface ClasspathSet {
  /** The KCL release, e.g. `"3.1.3"`; also the set's name in lock files. */
  readonly kcl: string;
  /** Lowest Java major version the set runs on. */
  readonly javaMin: number;
  /** `true` for a derived list that was never run (shown in help and docs). */
  readonly experimental: boolean;
  /** How the list was obtained (verbatim from a wrapper, or derived). */
  readonly basis: string;
  /** The jars, in classpath order. */
  readonly artifacts: readonly MavenArtifact[];
  /** Where the list was read from (repository, commit, path), when known. */
  readonly source?: string;
  /** What nobody has checked about this list yet (empty for a verbatim one). */
  readonly unverified?: readonly string[];
}

/**
 * The KCL release the launcher uses when `--kcl` is not given.
 *
 * @example Look up the default set
 * ```ts
 * import { DEFAULT_KCL_VERSION, findClasspathSet } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * const set = findClasspathSet(DEFAULT_KCL_VERSION);
 * assert.equal(set?.kcl, "3.1.3");
 * assert.equal(set?.experimental, false);
 * assert.equal(set?.javaMin, 8);
 * ```
 */
export const DEFAULT_KCL_VERSION: string = data.default;

/**
 * Every classpath set the launcher knows, the default first.
 *
 * @example List the releases and read what is unverified about the experimental one
 * ```ts
 * import { CLASSPATH_SETS } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(CLASSPATH_SETS.map((set) => set.kcl), ["3.1.3", "2.7.2", "3.5.1"]);
 * const experimental = CLASSPATH_SETS.find((set) => set.experimental);
 * assert.equal(experimental?.kcl, "3.5.1");
 * assert.match(experimental?.unverified?.[0] ?? "", /^Not resolved with Maven and never run/);
 * ```
 */
export const CLASSPATH_SETS: readonly ClasspathSet[] = data.sets.map((set) => ({
  kcl: set.kcl,
  javaMin: set.javaMin,
  experimental: set.experimental,
  basis: set.basis,
  artifacts: set.artifacts.map(parseArtifactName),
  source: set.source,
  unverified: set.unverified,
}));

/**
 * The classpath set for a KCL release, or `undefined` when there is none.
 *
 * @example Look up a set by release
 * ```ts
 * import { findClasspathSet } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(findClasspathSet("3.1.3")?.artifacts.length, 79);
 * assert.deepEqual(findClasspathSet("2.7.2")?.artifacts[0], {
 *   groupId: "software.amazon.kinesis",
 *   artifactId: "amazon-kinesis-client-multilang",
 *   version: "2.7.2",
 * });
 * assert.equal(findClasspathSet("1.0.0"), undefined);
 * ```
 */
export function findClasspathSet(kcl: string): ClasspathSet | undefined {
  return CLASSPATH_SETS.find((set) => set.kcl === kcl);
}
