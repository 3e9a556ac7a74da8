/**
 * Maven coordinates and the repository layout that turns them into paths.
 *
 * @module
 */

/**
 * One jar in a Maven repository.
 *
 * @example Check whether the default set ships a jar
 * ```ts
 * import { artifactName, findClasspathSet, type MavenArtifact } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const slf4j: MavenArtifact = { groupId: "org.slf4j", artifactId: "slf4j-api", version: "2.0.13" };
 * const names = findClasspathSet("3.1.3")?.artifacts.map(artifactName) ?? [];
 * assert.ok(names.includes(artifactName(slf4j)));
 * ```
 */
export interface MavenArtifact {
  /** e.g. `software.amazon.kinesis` */
  readonly groupId: string;
  /** e.g. `amazon-kinesis-client-multilang` */
  readonly artifactId: string;
  /** e.g. `3.1.3` */
  readonly version: string;
}

/**
 * The artifact's path in the standard Maven layout, also used for the cache
 * (so sets that share a jar share the file, and names never clash).
 *
 * @example The path of the daemon's own jar
 * ```ts
 * import { artifactPath } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   artifactPath({ groupId: "software.amazon.kinesis", artifactId: "amazon-kinesis-client-multilang", version: "3.1.3" }),
 *   "software/amazon/kinesis/amazon-kinesis-client-multilang/3.1.3/amazon-kinesis-client-multilang-3.1.3.jar",
 * );
 * ```
 */
export function artifactPath(artifact: MavenArtifact): string {
  const { groupId, artifactId, version } = artifact;
  return `${groupId.replaceAll(".", "/")}/${artifactId}/${version}/${artifactId}-${version}.jar`;
}

/**
 * `groupId:artifactId:version`, the way Maven users name an artifact in messages.
 *
 * @example
 * ```ts
 * import { artifactName } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(artifactName({ groupId: "a.b", artifactId: "c", version: "1" }), "a.b:c:1");
 * ```
 */
export function artifactName(artifact: MavenArtifact): string {
  return `${artifact.groupId}:${artifact.artifactId}:${artifact.version}`;
}

/** The URL of `path` under a repository base URL, with or without a trailing slash. */
export function repositoryUrl(repository: string, path: string): string {
  return `${repository.replace(/\/+$/, "")}/${path}`;
}
