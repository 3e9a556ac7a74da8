import assert from "node:assert/strict";
import { describe, it } from "node:test";
import properties from "../src/launcher/_daemon_properties.json" with { type: "json" };
import { daemonProperties, daemonPropertyType, propertyListRelease } from "../src/launcher/_property_table.ts";
import data from "../src/launcher/classpath_sets.json" with { type: "json" };
import { CLASSPATH_SETS, DEFAULT_KCL_VERSION, findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { artifactName } from "../src/launcher/maven_artifact.ts";

// The data is regenerated with Maven and compared by `.ci/classpath_sets.ts --verify` (a CI step, see .ci/run);
// these tests check what the launcher reads from it.
const RELEASE = /^\d+\.\d+\.\d+$/;

describe("classpath_sets.json", () => {
  it("offers KCL 3.1.3 (the default) and 2.5.4, each resolved by Maven with its provenance", () => {
    assert.equal(data.default, DEFAULT_KCL_VERSION);
    assert.deepEqual(data.sets.map((set) => set.kcl), ["3.1.3", "2.5.4"]);
    assert.equal(data.repository, "https://repo.maven.apache.org/maven2");
    for (const set of data.sets) {
      assert.match(set.kcl, RELEASE);
      assert.ok(Number.isInteger(set.javaMin) && set.javaMin >= 8, set.kcl);
      assert.match(set.javaMinEvidence, new RegExp(`are Java ${set.javaMin}'s, first found in [\\w.-]+:[\\w.-]+:`));
      const { provenance } = set;
      assert.match(provenance.maven, /^Apache Maven \d+\.\d+\.\d+$/);
      assert.equal(provenance.repository, data.repository);
      assert.match(provenance.date, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(provenance.command, /^mvn .*:list .*:build-classpath -DincludeScope=runtime /);
      assert.ok(
        provenance.pom.includes(
          `<artifactId>amazon-kinesis-client-multilang</artifactId><version>${set.kcl}</version>`,
        ),
      );
      const names = set.artifacts.map((jar) => jar.name);
      assert.equal(new Set(names).size, names.length, `${set.kcl} lists a jar twice`);
      for (const jar of set.artifacts) {
        assert.match(jar.name, /^[\w.-]+:[\w.-]+:[\w.-]+(:[\w.-]+)?$/, jar.name);
        assert.match(jar.sha256, /^[0-9a-f]{64}$/, jar.name);
        assert.ok(Number.isInteger(jar.size) && jar.size > 0, jar.name);
      }
      // Maven's classpath starts with the dependency itself.
      assert.equal(names[0], `software.amazon.kinesis:amazon-kinesis-client-multilang:${set.kcl}`);
      assert.ok(names.includes(`software.amazon.kinesis:amazon-kinesis-client:${set.kcl}`), set.kcl);
    }
    assert.match(data.sets[1]?.notes.join(" ") ?? "", /2\.7\.x returns 404/);
  });

  it("is what CLASSPATH_SETS exposes: Maven coordinates with their pinned digests", () => {
    assert.deepEqual(
      CLASSPATH_SETS.map((set) => set.artifacts.map((a) => [artifactName(a), a.sha256, a.size])),
      data.sets.map((set) => set.artifacts.map((jar) => [jar.name, jar.sha256, jar.size])),
    );
    assert.equal(findClasspathSet("2.5.4")?.javaMin, data.sets[1]?.javaMin);
    assert.equal(findClasspathSet("3.5.1"), undefined);
  });
});

describe("_daemon_properties.json", () => {
  const simple = ["string", "int", "long", "double", "boolean", "duration"];

  it("has one table per offered release, every key typed", () => {
    assert.deepEqual(properties.tables.map((table) => table.kcl), data.sets.map((set) => set.kcl));
    for (const table of properties.tables) {
      const keys = table.groups.flatMap((group) => Object.keys(group.properties));
      assert.equal(new Set(keys).size, keys.length, "a key is in two groups");
      assert.deepEqual(daemonProperties(table.kcl), keys);
      for (const group of table.groups) {
        for (const [key, type] of Object.entries(group.properties) as [string, unknown][]) {
          if (typeof type === "string") {
            assert.ok(simple.includes(type), `${key}: ${type}`);
            continue;
          }
          const { enum: values, hints } = type as { enum: string[]; hints?: Record<string, string> };
          assert.ok(values.length > 0 && values.every((value) => value === value.toUpperCase()), key);
          for (const value of Object.keys(hints ?? {})) assert.ok(!values.includes(value), `${key}: ${value}`);
        }
      }
      for (const required of ["executableName", "applicationName", "streamName", "streamArn"]) {
        assert.equal(daemonPropertyType(required, table.kcl), "string", `${table.kcl}: ${required}`);
      }
      assert.equal(daemonPropertyType("kinesisClient.region", table.kcl), "string");
      assert.equal(daemonPropertyType("banana", table.kcl), undefined);
      // Keys the old hand-made table listed that no release defines.
      assert.equal(daemonPropertyType("dynamoDBRegionName", table.kcl), undefined);
      assert.equal(daemonPropertyType("cloudWatchRegionName", table.kcl), undefined);
    }
  });

  it("reads the enums and the key spellings each release's jars define", () => {
    const enumOf = (key: string, kcl: string): unknown => (daemonPropertyType(key, kcl) as { enum?: unknown }).enum;
    assert.deepEqual(enumOf("clientVersionConfig", "3.1.3"), [
      "CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X",
      "CLIENT_VERSION_CONFIG_3X",
    ]);
    assert.equal(daemonPropertyType("clientVersionConfig", "2.5.4"), undefined);
    for (const kcl of ["3.1.3", "2.5.4"]) {
      assert.deepEqual(enumOf("retrievalMode", kcl), ["FANOUT", "POLLING", "DEFAULT"]);
      assert.deepEqual(enumOf("metricsLevel", kcl), ["NONE", "SUMMARY", "DETAILED"]);
      assert.deepEqual(daemonPropertyType("initialPositionInStream", kcl), {
        enum: ["LATEST", "TRIM_HORIZON"],
        hints: {
          AT_TIMESTAMP:
            "the daemon refuses AT_TIMESTAMP here (IllegalArgumentException: Invalid InitialPosition: AT_TIMESTAMP): set `initialPositionInStreamExtended` to the start time in epoch seconds instead",
        },
      });
    }
    // KCL 3 rewrites the credentials prefix in any case; KCL 2.5.4 takes only its bean's spelling.
    assert.equal(daemonPropertyType("AWSCredentialsProvider", "3.1.3"), "string");
    assert.equal(daemonPropertyType("awscredentialsproviderDynamoDB", "3.1.3"), "string");
    assert.equal(daemonPropertyType("AWSCredentialsProvider", "2.5.4"), "string");
    assert.equal(daemonPropertyType("AwsCredentialsProvider", "2.5.4"), undefined);
    assert.equal(propertyListRelease("9.9.9"), DEFAULT_KCL_VERSION);
  });
});
