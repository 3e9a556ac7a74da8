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
  /** A classifier (`natives-linux`), for jars that carry one. */
  readonly classifier?: string;
  /**
   * The jar's lowercase hex SHA-256, when pinned: the download is then
   * verified against it (and `size`) instead of the repository's `.sha1`.
   */
  readonly sha256?: string;
  /** The jar's size in bytes, when pinned (with `sha256`). */
  readonly size?: number;
}

/**
 * The artifact's path in the standard Maven layout, also used for the cache
 * (so sets that share a jar share the file, and names never clash).
 */
export function artifactPath(artifact: MavenArtifact): string {
  const { groupId, artifactId, version, classifier } = artifact;
  const suffix = classifier === undefined ? "" : `-${classifier}`;
  return `${groupId.replaceAll(".", "/")}/${artifactId}/${version}/${artifactId}-${version}${suffix}.jar`;
}

/** `groupId:artifactId:version[:classifier]`, the way Maven users name an artifact in messages. */
export function artifactName(artifact: MavenArtifact): string {
  const name = `${artifact.groupId}:${artifact.artifactId}:${artifact.version}`;
  return artifact.classifier === undefined ? name : `${name}:${artifact.classifier}`;
}

/** The artifact named `groupId:artifactId:version[:classifier]`; throws on any other shape. */
export function parseArtifactName(name: string): MavenArtifact {
  const parts = name.split(":");
  const [groupId, artifactId, version, classifier] = parts;
  if (
    groupId === undefined || artifactId === undefined || version === undefined || parts.length > 4 ||
    parts.some((part) => part === "")
  ) {
    throw new TypeError(
      `Cannot read the artifact name \`${name}\`: expected groupId:artifactId:version or groupId:artifactId:version:classifier`,
    );
  }
  return classifier === undefined ? { groupId, artifactId, version } : { groupId, artifactId, version, classifier };
}

/** The URL of `path` under a repository base URL, with or without a trailing slash. */
export function repositoryUrl(repository: string, path: string): string {
  return `${repository.replace(/\/+$/, "")}/${path}`;
}
