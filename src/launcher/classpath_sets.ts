/**
 * The jar lists that form the MultiLangDaemon's runtime classpath, one per
 * supported KCL release. Generated from `kcl-daemon-classpath.json` (the
 * project's research data): data, not code copied from a wrapper.
 *
 * - KCL 3.1.3 (the default): the list AWS's Node.js wrapper downloads (the
 *   Python, .NET and Ruby wrappers pin the same KCL release).
 * - KCL 2.7.2: the list `aws-kcl@2.3.2`'s `kcl-bootstrap` downloads.
 * - KCL 3.5.1 (experimental): derived from the 3.1.3 list and the KCL 3.5.1
 *   poms; never resolved with Maven nor run, so a jar may be missing.
 *
 * @module
 */

import type { MavenArtifact } from "./maven_artifact.ts";

/**
 * A named, pinned set of jars that runs the daemon (pass your own to
 * `launch` as its `classpathSet` option).
 *
 * @example Add a jar to the default set
 * ```ts
 * import { artifactName, type ClasspathSet, DEFAULT_KCL_VERSION, findClasspathSet } from "@kcl/multilang/launcher";
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
 * assert.equal(withAgent.artifacts.map(artifactName).at(-1), "com.example:metrics-agent:1.2.0");
 * ```
 */
export interface ClasspathSet {
  /** The KCL release, e.g. `"3.1.3"`. */
  readonly kcl: string;
  /** Lowest Java major version the set runs on. */
  readonly javaMin: number;
  /** `true` for a derived list that was never run (shown in help and docs). */
  readonly experimental: boolean;
  /** Where the list comes from, for help output and docs. */
  readonly basis: string;
  /** The jars, in classpath order. */
  readonly artifacts: readonly MavenArtifact[];
}

/**
 * The KCL release the launcher uses when `--kcl` is not given.
 *
 * @example Look up the default set
 * ```ts
 * import { DEFAULT_KCL_VERSION, findClasspathSet, parseCliArgs } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseCliArgs(["-p", "app.properties"]).kcl, DEFAULT_KCL_VERSION);
 * const set = findClasspathSet(DEFAULT_KCL_VERSION);
 * assert.equal(set?.experimental, false);
 * assert.equal(set?.javaMin, 8);
 * ```
 */
export const DEFAULT_KCL_VERSION = "3.1.3";

const jar = (
  groupId: string,
  artifactId: string,
  version: string,
): MavenArtifact => ({
  groupId,
  artifactId,
  version,
});

/** KCL 3.1.3: the jar list of AWS's Node.js wrapper (master). */
const KCL_3_1_3: ClasspathSet = {
  kcl: "3.1.3",
  javaMin: 8,
  experimental: false,
  basis: "the jar list of AWS's Node.js wrapper (master)",
  artifacts: [
    jar("software.amazon.kinesis", "amazon-kinesis-client-multilang", "3.1.3"),
    jar("software.amazon.kinesis", "amazon-kinesis-client", "3.1.3"),
    jar("software.amazon.awssdk", "kinesis", "2.33.0"),
    jar("software.amazon.awssdk", "dynamodb", "2.33.0"),
    jar("software.amazon.awssdk", "dynamodb-enhanced", "2.33.0"),
    jar("com.amazonaws", "dynamodb-lock-client", "1.3.0"),
    jar("software.amazon.awssdk", "cloudwatch", "2.33.0"),
    jar("software.amazon.awssdk", "netty-nio-client", "2.33.0"),
    jar("software.amazon.awssdk", "metrics-spi", "2.33.0"),
    jar("software.amazon.awssdk", "sts", "2.33.0"),
    jar("software.amazon.awssdk", "protocol-core", "2.33.0"),
    jar("software.amazon.awssdk", "aws-query-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "aws-cbor-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "aws-json-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "json-utils", "2.33.0"),
    jar("software.amazon.awssdk", "third-party-jackson-core", "2.33.0"),
    jar(
      "software.amazon.awssdk",
      "third-party-jackson-dataformat-cbor",
      "2.33.0",
    ),
    jar("software.amazon.awssdk", "profiles", "2.33.0"),
    jar("software.amazon.awssdk", "sdk-core", "2.33.0"),
    jar("software.amazon.awssdk", "aws-core", "2.33.0"),
    jar("software.amazon.awssdk", "endpoints-spi", "2.33.0"),
    jar("software.amazon.awssdk", "auth", "2.33.0"),
    jar("software.amazon.awssdk", "http-client-spi", "2.33.0"),
    jar("software.amazon.awssdk", "regions", "2.33.0"),
    jar("software.amazon.awssdk", "annotations", "2.33.0"),
    jar("software.amazon.awssdk", "utils", "2.33.0"),
    jar("software.amazon.awssdk", "apache-client", "2.33.0"),
    jar("software.amazon.awssdk", "arns", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth-spi", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth-aws", "2.33.0"),
    jar("software.amazon.awssdk", "checksums-spi", "2.33.0"),
    jar("software.amazon.awssdk", "checksums", "2.33.0"),
    jar("software.amazon.awssdk", "identity-spi", "2.33.0"),
    jar("software.amazon.awssdk", "retries-spi", "2.33.0"),
    jar("software.amazon.awssdk", "retries", "2.33.0"),
    jar("io.netty", "netty-codec-http", "4.2.10.Final"),
    jar("io.netty", "netty-codec-http2", "4.2.10.Final"),
    jar("io.netty", "netty-codec", "4.2.10.Final"),
    jar("io.netty", "netty-codec-base", "4.2.10.Final"),
    jar("io.netty", "netty-transport", "4.2.10.Final"),
    jar("io.netty", "netty-resolver", "4.2.10.Final"),
    jar("io.netty", "netty-common", "4.2.10.Final"),
    jar("io.netty", "netty-buffer", "4.2.10.Final"),
    jar("io.netty", "netty-handler", "4.2.10.Final"),
    jar("io.netty", "netty-transport-native-epoll", "4.2.10.Final"),
    jar("io.netty", "netty-transport-native-unix-common", "4.2.10.Final"),
    jar("com.typesafe.netty", "netty-reactive-streams-http", "2.0.6"),
    jar("com.typesafe.netty", "netty-reactive-streams", "2.0.6"),
    jar("org.reactivestreams", "reactive-streams", "1.0.3"),
    jar("com.google.guava", "guava", "32.1.1-jre"),
    jar("com.google.code.findbugs", "jsr305", "3.0.2"),
    jar("org.checkerframework", "checker-qual", "3.49.4"),
    jar("com.google.errorprone", "error_prone_annotations", "2.7.1"),
    jar("com.google.j2objc", "j2objc-annotations", "1.3"),
    jar("org.codehaus.mojo", "animal-sniffer-annotations", "1.20"),
    jar("com.google.protobuf", "protobuf-java", "4.27.5"),
    jar("org.apache.commons", "commons-lang3", "3.18.0"),
    jar("org.slf4j", "slf4j-api", "2.0.13"),
    jar("io.reactivex.rxjava3", "rxjava", "3.1.8"),
    jar(
      "com.fasterxml.jackson.dataformat",
      "jackson-dataformat-cbor",
      "2.18.6",
    ),
    jar("com.fasterxml.jackson.core", "jackson-core", "2.18.6"),
    jar("com.fasterxml.jackson.core", "jackson-databind", "2.18.6"),
    jar("com.fasterxml.jackson.core", "jackson-annotations", "2.18.6"),
    jar("software.amazon", "flow", "1.7"),
    jar("org.apache.httpcomponents", "httpclient", "4.5.13"),
    jar("commons-codec", "commons-codec", "1.15"),
    jar("org.apache.httpcomponents", "httpcore", "4.4.15"),
    jar("com.amazon.ion", "ion-java", "1.11.4"),
    jar("software.amazon.glue", "schema-registry-serde", "1.1.19"),
    jar("joda-time", "joda-time", "2.10.13"),
    jar("ch.qos.logback", "logback-classic", "1.3.16"),
    jar("ch.qos.logback", "logback-core", "1.3.16"),
    jar("com.beust", "jcommander", "1.82"),
    jar("commons-io", "commons-io", "2.16.1"),
    jar("commons-logging", "commons-logging", "1.1.3"),
    jar("org.apache.commons", "commons-collections4", "4.4"),
    jar("commons-beanutils", "commons-beanutils", "1.11.0"),
    jar("commons-collections", "commons-collections", "3.2.2"),
  ],
};

/** KCL 2.7.2: the jar list of aws-kcl@2.3.2's kcl-bootstrap. */
const KCL_2_7_2: ClasspathSet = {
  kcl: "2.7.2",
  javaMin: 8,
  experimental: false,
  basis: "the jar list of aws-kcl@2.3.2's kcl-bootstrap",
  artifacts: [
    jar("software.amazon.kinesis", "amazon-kinesis-client-multilang", "2.7.2"),
    jar("software.amazon.kinesis", "amazon-kinesis-client", "2.7.2"),
    jar("software.amazon.awssdk", "kinesis", "2.33.0"),
    jar("software.amazon.awssdk", "dynamodb", "2.33.0"),
    jar("software.amazon.awssdk", "cloudwatch", "2.33.0"),
    jar("software.amazon.awssdk", "netty-nio-client", "2.33.0"),
    jar("software.amazon.awssdk", "metrics-spi", "2.33.0"),
    jar("software.amazon.awssdk", "sts", "2.33.0"),
    jar("software.amazon.awssdk", "protocol-core", "2.33.0"),
    jar("software.amazon.awssdk", "aws-query-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "aws-cbor-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "aws-json-protocol", "2.33.0"),
    jar("software.amazon.awssdk", "json-utils", "2.33.0"),
    jar("software.amazon.awssdk", "third-party-jackson-core", "2.33.0"),
    jar(
      "software.amazon.awssdk",
      "third-party-jackson-dataformat-cbor",
      "2.33.0",
    ),
    jar("software.amazon.awssdk", "profiles", "2.33.0"),
    jar("software.amazon.awssdk", "sdk-core", "2.33.0"),
    jar("software.amazon.awssdk", "aws-core", "2.33.0"),
    jar("software.amazon.awssdk", "endpoints-spi", "2.33.0"),
    jar("software.amazon.awssdk", "auth", "2.33.0"),
    jar("software.amazon.awssdk", "http-client-spi", "2.33.0"),
    jar("software.amazon.awssdk", "regions", "2.33.0"),
    jar("software.amazon.awssdk", "annotations", "2.33.0"),
    jar("software.amazon.awssdk", "utils", "2.33.0"),
    jar("software.amazon.awssdk", "apache-client", "2.33.0"),
    jar("software.amazon.awssdk", "arns", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth-spi", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth", "2.33.0"),
    jar("software.amazon.awssdk", "http-auth-aws", "2.33.0"),
    jar("software.amazon.awssdk", "checksums-spi", "2.33.0"),
    jar("software.amazon.awssdk", "checksums", "2.33.0"),
    jar("software.amazon.awssdk", "identity-spi", "2.33.0"),
    jar("software.amazon.awssdk", "retries-spi", "2.33.0"),
    jar("software.amazon.awssdk", "retries", "2.33.0"),
    jar("io.netty", "netty-codec-http", "4.2.4.Final"),
    jar("io.netty", "netty-codec-http2", "4.2.4.Final"),
    jar("io.netty", "netty-codec", "4.2.4.Final"),
    jar("io.netty", "netty-codec-base", "4.2.4.Final"),
    jar("io.netty", "netty-transport", "4.2.4.Final"),
    jar("io.netty", "netty-resolver", "4.2.4.Final"),
    jar("io.netty", "netty-common", "4.2.4.Final"),
    jar("io.netty", "netty-buffer", "4.2.4.Final"),
    jar("io.netty", "netty-handler", "4.2.4.Final"),
    jar("io.netty", "netty-transport-native-epoll", "4.2.4.Final"),
    jar("io.netty", "netty-transport-native-unix-common", "4.2.4.Final"),
    jar("com.typesafe.netty", "netty-reactive-streams-http", "2.0.6"),
    jar("com.typesafe.netty", "netty-reactive-streams", "2.0.6"),
    jar("org.reactivestreams", "reactive-streams", "1.0.3"),
    jar("com.google.guava", "guava", "32.1.1-jre"),
    jar("com.google.code.findbugs", "jsr305", "3.0.2"),
    jar("org.checkerframework", "checker-qual", "2.5.2"),
    jar("com.google.errorprone", "error_prone_annotations", "2.7.1"),
    jar("com.google.j2objc", "j2objc-annotations", "1.3"),
    jar("org.codehaus.mojo", "animal-sniffer-annotations", "1.20"),
    jar("com.google.protobuf", "protobuf-java", "4.27.5"),
    jar("org.apache.commons", "commons-lang3", "3.18.0"),
    jar("org.slf4j", "slf4j-api", "2.0.13"),
    jar("io.reactivex.rxjava3", "rxjava", "3.1.8"),
    jar(
      "com.fasterxml.jackson.dataformat",
      "jackson-dataformat-cbor",
      "2.15.0",
    ),
    jar("com.fasterxml.jackson.core", "jackson-core", "2.15.0"),
    jar("com.fasterxml.jackson.core", "jackson-databind", "2.15.0"),
    jar("com.fasterxml.jackson.core", "jackson-annotations", "2.15.0"),
    jar("software.amazon", "flow", "1.7"),
    jar("org.apache.httpcomponents", "httpclient", "4.5.13"),
    jar("commons-codec", "commons-codec", "1.15"),
    jar("org.apache.httpcomponents", "httpcore", "4.4.15"),
    jar("com.amazonaws", "aws-java-sdk-core", "1.12.668"),
    jar("com.amazonaws", "aws-java-sdk-sts", "1.12.668"),
    jar("com.amazon.ion", "ion-java", "1.11.4"),
    jar("software.amazon.glue", "schema-registry-serde", "1.1.19"),
    jar("joda-time", "joda-time", "2.10.13"),
    jar("ch.qos.logback", "logback-classic", "1.3.15"),
    jar("ch.qos.logback", "logback-core", "1.3.15"),
    jar("com.beust", "jcommander", "1.82"),
    jar("commons-io", "commons-io", "2.16.1"),
    jar("commons-logging", "commons-logging", "1.1.3"),
    jar("org.apache.commons", "commons-collections4", "4.4"),
    jar("commons-beanutils", "commons-beanutils", "1.9.4"),
    jar("commons-collections", "commons-collections", "3.2.2"),
  ],
};

/** KCL 3.5.1 (experimental): derived from the 3.1.3 list and the KCL 3.5.1 poms; never run. */
const KCL_3_5_1: ClasspathSet = {
  kcl: "3.5.1",
  javaMin: 8,
  experimental: true,
  basis: "derived from the 3.1.3 list and the KCL 3.5.1 poms; never run",
  artifacts: [
    jar("software.amazon.kinesis", "amazon-kinesis-client-multilang", "3.5.1"),
    jar("software.amazon.kinesis", "amazon-kinesis-client", "3.5.1"),
    jar("software.amazon.awssdk", "kinesis", "2.41.21"),
    jar("software.amazon.awssdk", "dynamodb", "2.41.21"),
    jar("software.amazon.awssdk", "dynamodb-enhanced", "2.41.21"),
    jar("com.amazonaws", "dynamodb-lock-client", "1.3.0"),
    jar("software.amazon.awssdk", "cloudwatch", "2.41.21"),
    jar("software.amazon.awssdk", "netty-nio-client", "2.41.21"),
    jar("software.amazon.awssdk", "metrics-spi", "2.41.21"),
    jar("software.amazon.awssdk", "sts", "2.41.21"),
    jar("software.amazon.awssdk", "protocol-core", "2.41.21"),
    jar("software.amazon.awssdk", "aws-query-protocol", "2.41.21"),
    jar("software.amazon.awssdk", "aws-cbor-protocol", "2.41.21"),
    jar("software.amazon.awssdk", "aws-json-protocol", "2.41.21"),
    jar("software.amazon.awssdk", "smithy-rpcv2-protocol", "2.41.21"),
    jar("software.amazon.awssdk", "json-utils", "2.41.21"),
    jar("software.amazon.awssdk", "third-party-jackson-core", "2.41.21"),
    jar(
      "software.amazon.awssdk",
      "third-party-jackson-dataformat-cbor",
      "2.41.21",
    ),
    jar("software.amazon.awssdk", "profiles", "2.41.21"),
    jar("software.amazon.awssdk", "sdk-core", "2.41.21"),
    jar("software.amazon.awssdk", "aws-core", "2.41.21"),
    jar("software.amazon.awssdk", "endpoints-spi", "2.41.21"),
    jar("software.amazon.awssdk", "auth", "2.41.21"),
    jar("software.amazon.awssdk", "http-client-spi", "2.41.21"),
    jar("software.amazon.awssdk", "regions", "2.41.21"),
    jar("software.amazon.awssdk", "annotations", "2.41.21"),
    jar("software.amazon.awssdk", "utils", "2.41.21"),
    jar("software.amazon.awssdk", "apache-client", "2.41.21"),
    jar("software.amazon.awssdk", "arns", "2.41.21"),
    jar("software.amazon.awssdk", "http-auth-spi", "2.41.21"),
    jar("software.amazon.awssdk", "http-auth", "2.41.21"),
    jar("software.amazon.awssdk", "http-auth-aws", "2.41.21"),
    jar("software.amazon.awssdk", "checksums-spi", "2.41.21"),
    jar("software.amazon.awssdk", "checksums", "2.41.21"),
    jar("software.amazon.awssdk", "identity-spi", "2.41.21"),
    jar("software.amazon.awssdk", "retries-spi", "2.41.21"),
    jar("software.amazon.awssdk", "retries", "2.41.21"),
    jar("io.netty", "netty-codec-http", "4.2.10.Final"),
    jar("io.netty", "netty-codec-http2", "4.2.10.Final"),
    jar("io.netty", "netty-codec", "4.2.10.Final"),
    jar("io.netty", "netty-codec-base", "4.2.10.Final"),
    jar("io.netty", "netty-transport", "4.2.10.Final"),
    jar("io.netty", "netty-resolver", "4.2.10.Final"),
    jar("io.netty", "netty-common", "4.2.10.Final"),
    jar("io.netty", "netty-buffer", "4.2.10.Final"),
    jar("io.netty", "netty-handler", "4.2.10.Final"),
    jar("io.netty", "netty-transport-native-epoll", "4.2.10.Final"),
    jar("io.netty", "netty-transport-native-unix-common", "4.2.10.Final"),
    jar("com.typesafe.netty", "netty-reactive-streams-http", "2.0.6"),
    jar("com.typesafe.netty", "netty-reactive-streams", "2.0.6"),
    jar("org.reactivestreams", "reactive-streams", "1.0.3"),
    jar("com.google.guava", "guava", "32.1.1-jre"),
    jar("com.google.code.findbugs", "jsr305", "3.0.2"),
    jar("org.checkerframework", "checker-qual", "3.49.4"),
    jar("com.google.errorprone", "error_prone_annotations", "2.7.1"),
    jar("com.google.j2objc", "j2objc-annotations", "1.3"),
    jar("org.codehaus.mojo", "animal-sniffer-annotations", "1.20"),
    jar("com.google.protobuf", "protobuf-java", "4.27.5"),
    jar("org.apache.commons", "commons-lang3", "3.18.0"),
    jar("org.slf4j", "slf4j-api", "2.0.13"),
    jar("io.reactivex.rxjava3", "rxjava", "3.1.8"),
    jar(
      "com.fasterxml.jackson.dataformat",
      "jackson-dataformat-cbor",
      "2.18.6",
    ),
    jar("com.fasterxml.jackson.core", "jackson-core", "2.18.6"),
    jar("com.fasterxml.jackson.core", "jackson-databind", "2.18.6"),
    jar("com.fasterxml.jackson.core", "jackson-annotations", "2.18.6"),
    jar("software.amazon", "flow", "1.7"),
    jar("org.apache.httpcomponents", "httpclient", "4.5.13"),
    jar("commons-codec", "commons-codec", "1.15"),
    jar("org.apache.httpcomponents", "httpcore", "4.4.15"),
    jar("com.amazon.ion", "ion-java", "1.11.4"),
    jar("software.amazon.glue", "schema-registry-serde", "1.1.19"),
    jar("joda-time", "joda-time", "2.10.13"),
    jar("ch.qos.logback", "logback-classic", "1.3.16"),
    jar("ch.qos.logback", "logback-core", "1.3.16"),
    jar("com.beust", "jcommander", "1.82"),
    jar("commons-io", "commons-io", "2.16.1"),
    jar("commons-logging", "commons-logging", "1.1.3"),
    jar("org.apache.commons", "commons-collections4", "4.4"),
    jar("commons-beanutils", "commons-beanutils", "1.11.0"),
    jar("commons-collections", "commons-collections", "3.2.2"),
    jar("io.opentelemetry", "opentelemetry-api", "1.60.1"),
    jar("io.opentelemetry", "opentelemetry-context", "1.60.1"),
    jar("io.opentelemetry", "opentelemetry-common", "1.60.1"),
  ],
};

/**
 * Every classpath set the launcher knows, the default first.
 *
 * @example List the releases and flag the experimental one
 * ```ts
 * import { CLASSPATH_SETS } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(CLASSPATH_SETS.map((set) => set.kcl), ["3.1.3", "2.7.2", "3.5.1"]);
 * assert.equal(CLASSPATH_SETS.find((set) => set.experimental)?.kcl, "3.5.1");
 * ```
 */
export const CLASSPATH_SETS: readonly ClasspathSet[] = [
  KCL_3_1_3,
  KCL_2_7_2,
  KCL_3_5_1,
];

/**
 * The classpath set for a KCL release, or `undefined` when there is none.
 *
 * @example Look up the default set
 * ```ts
 * import { findClasspathSet } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.equal(findClasspathSet("3.1.3")?.artifacts.length, 79);
 * assert.equal(findClasspathSet("1.0.0"), undefined);
 * ```
 */
export function findClasspathSet(kcl: string): ClasspathSet | undefined {
  return CLASSPATH_SETS.find((set) => set.kcl === kcl);
}
