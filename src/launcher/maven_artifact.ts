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
 * import { DEFAULT_KCL_VERSION, findClasspathSet } from "./classpath_sets.ts";
 * import type { MavenArtifact } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const slf4j: MavenArtifact = { groupId: "org.slf4j", artifactId: "slf4j-api", version: "2.0.13" };
 * const artifacts = findClasspathSet(DEFAULT_KCL_VERSION)?.artifacts ?? [];
 * assert.ok(artifacts.some((artifact) => artifact.artifactId === slf4j.artifactId));
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
 */
export function artifactPath(artifact: MavenArtifact): string {
  const { groupId, artifactId, version } = artifact;
  return `${groupId.replaceAll(".", "/")}/${artifactId}/${version}/${artifactId}-${version}.jar`;
}

/** `groupId:artifactId:version`, the way Maven users name an artifact in messages. */
export function artifactName(artifact: MavenArtifact): string {
  return `${artifact.groupId}:${artifact.artifactId}:${artifact.version}`;
}

/** The artifact named `groupId:artifactId:version`; throws on any other shape. */
export function parseArtifactName(name: string): MavenArtifact {
  const [groupId, artifactId, version, ...rest] = name.split(":");
  if (groupId === undefined || artifactId === undefined || version === undefined || rest.length > 0) {
    throw new TypeError(`Cannot read the artifact name \`${name}\`: expected groupId:artifactId:version`);
  }
  if (groupId === "" || artifactId === "" || version === "") {
    throw new TypeError(`Cannot read the artifact name \`${name}\`: expected groupId:artifactId:version`);
  }
  return { groupId, artifactId, version };
}

/** The URL of `path` under a repository base URL, with or without a trailing slash. */
export function repositoryUrl(repository: string, path: string): string {
  return `${repository.replace(/\/+$/, "")}/${path}`;
}
