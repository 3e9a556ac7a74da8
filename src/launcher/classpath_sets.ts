/**
 * The jar lists that form the MultiLangDaemon's runtime classpath, one per
 * offered KCL release. The lists are data (`classpath_sets.json`), generated
 * by `.ci/classpath_sets.ts` from a real Maven resolution of
 * `software.amazon.kinesis:amazon-kinesis-client-multilang:<release>` (its
 * runtime classpath, in Maven's order) from Maven Central: every jar carries
 * the SHA-256 and size of the file Maven resolved, and each list its
 * provenance (Maven version, repository, date, pom and command).
 *
 * - KCL 3.1.3 (the default): the newest 3.x release the reachable Maven
 *   Central serves.
 * - KCL 2.5.4: the newest 2.x release it serves (2.7.x is not served there).
 *
 * @module
 */

import data from "./classpath_sets.json" with { type: "json" };
import { type MavenArtifact, parseArtifactName } from "./maven_artifact.ts";

/**
 * A named set of jars that runs the daemon (pass your own to `launch` as its
 * `classpathSet` option). The launcher's own sets pin every jar's SHA-256 and size.
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
 * assert.ok(base.artifacts.every((artifact) => artifact.sha256 !== undefined));
 * assert.equal(withAgent.artifacts.at(-1)?.sha256, undefined);
 * ```
 */
export interface ClasspathSet {
  /** The KCL release, e.g. `"3.1.3"`; also the set's name in lock files. */
  readonly kcl: string;
  /** Lowest Java major version the set runs on. */
  readonly javaMin: number;
  /** How the list was obtained. */
  readonly basis: string;
  /**
   * The jars, in classpath order. A jar with `sha256` and `size` is verified
   * against them on its first download; one without, against the repository's `.sha1`.
   */
  readonly artifacts: readonly MavenArtifact[];
  /** How the list was made (the exact command), when known. */
  readonly source?: string;
  /** What a user should know about the release (why it is offered, what is not). */
  readonly notes?: readonly string[];
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
 * assert.equal(set?.artifacts[0]?.artifactId, "amazon-kinesis-client-multilang");
 * ```
 */
export const DEFAULT_KCL_VERSION: string = data.default;

/**
 * Every classpath set the launcher knows, the default first.
 *
 * @example List the releases and read how a list was made
 * ```ts
 * import { CLASSPATH_SETS } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(CLASSPATH_SETS.map((set) => set.kcl), ["3.1.3", "2.5.4"]);
 * assert.match(CLASSPATH_SETS[0]?.basis ?? "", /^Apache Maven [\d.]+'s runtime classpath of software\.amazon\.kinesis:amazon-kinesis-client-multilang:3\.1\.3/);
 * assert.match(CLASSPATH_SETS[0]?.source ?? "", /^mvn .*maven-dependency-plugin:[\d.]+:build-classpath -DincludeScope=runtime /);
 * ```
 */
export const CLASSPATH_SETS: readonly ClasspathSet[] = data.sets.map((set) => ({
  kcl: set.kcl,
  javaMin: set.javaMin,
  basis:
    `${set.provenance.maven}'s runtime classpath of software.amazon.kinesis:amazon-kinesis-client-multilang:${set.kcl}` +
    ` from ${set.provenance.repository}, resolved ${set.provenance.date}`,
  artifacts: set.artifacts.map((jar) => ({ ...parseArtifactName(jar.name), sha256: jar.sha256, size: jar.size })),
  source: set.provenance.command,
  notes: set.notes,
}));

/**
 * The classpath set for a KCL release, or `undefined` when there is none.
 *
 * @example Look up a set by release
 * ```ts
 * import { findClasspathSet } from "./classpath_sets.ts";
 * import assert from "node:assert/strict";
 *
 * const set = findClasspathSet("2.5.4");
 * assert.deepEqual(
 *   [set?.artifacts[0]?.groupId, set?.artifacts[0]?.artifactId, set?.artifacts[0]?.version],
 *   ["software.amazon.kinesis", "amazon-kinesis-client-multilang", "2.5.4"],
 * );
 * assert.match(set?.artifacts[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);
 * assert.equal(findClasspathSet("1.0.0"), undefined);
 * ```
 */
export function findClasspathSet(kcl: string): ClasspathSet | undefined {
  return CLASSPATH_SETS.find((set) => set.kcl === kcl);
}
