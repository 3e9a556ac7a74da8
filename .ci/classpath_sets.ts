/**
 * Generates the launcher's data from a real Maven resolution of every KCL
 * release it offers, and checks the committed data against a fresh one:
 *
 * - `src/launcher/classpath_sets.json`: per release, the runtime classpath
 *   Maven resolves for `software.amazon.kinesis:amazon-kinesis-client-multilang`
 *   (a generated pom, then `mvn dependency:list dependency:build-classpath`),
 *   in Maven's classpath order, each jar with the SHA-256 and size of the file
 *   Maven resolved, and the resolution's provenance (Maven and Java versions,
 *   repository, date, the pom and the exact command);
 * - `src/launcher/_daemon_properties.json`: per release, the keys the daemon
 *   accepts with their types and enum values, read from those jars by
 *   `.ci/daemon_properties.java` (run with Java's source launcher), and the
 *   lowest Java that loads every class of the jars.
 *
 *     deno task data          # regenerate both files
 *     deno task data:verify   # fail when they differ from a fresh resolution (a step of .ci/run)
 *
 * Maven resolves through `~/.m2` (fast when warm). `--verify` compares
 * everything but the dates; when Maven Central cannot be reached it says so and
 * skips (exit 0, never a silent pass), checked with one 10-second request.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** Maven's own default repository (the super POM's `central`), which the launcher also downloads from. */
export const REPOSITORY = "https://repo.maven.apache.org/maven2";
/** The release `--kcl` defaults to. */
export const DEFAULT_KCL = "3.1.3";
const MAIN_CLASS = "software.amazon.kinesis.multilang.MultiLangDaemon";
const DAEMON = { groupId: "software.amazon.kinesis", artifactId: "amazon-kinesis-client-multilang" };
const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1";

/** The releases offered, and what to say about each. */
export const RELEASES: readonly { readonly kcl: string; readonly notes: readonly string[] }[] = [
  {
    kcl: "3.1.3",
    notes: [
      "The newest 3.x release the reachable Maven Central serves (the project's CI reaches a partial mirror of https://repo.maven.apache.org/maven2 that has 2.2.0, 2.5.4 and 3.1.3 of amazon-kinesis-client-multilang; 3.5.1 returns 404 there).",
    ],
  },
  {
    kcl: "2.5.4",
    notes: [
      "The newest 2.x release the reachable Maven Central serves: 2.7.x returns 404 from the partial mirror the project's CI reaches, so 2.7.x is not offered.",
    ],
  },
];

/** One jar of a set, as the launcher's data holds it. */
export interface ClasspathDataJar {
  /** `groupId:artifactId:version` or `groupId:artifactId:version:classifier`. */
  readonly name: string;
  /** Lowercase hex SHA-256 of the jar Maven resolved. */
  readonly sha256: string;
  /** Its size in bytes. */
  readonly size: number;
}

/** How a set was resolved. */
export interface Provenance {
  readonly maven: string;
  readonly java: string;
  readonly repository: string;
  readonly date: string;
  readonly pom: string;
  readonly command: string;
}

/** One set of the launcher's data. */
export interface ClasspathDataSet {
  readonly kcl: string;
  readonly javaMin: number;
  readonly javaMinEvidence: string;
  readonly notes: readonly string[];
  readonly provenance: Provenance;
  readonly artifacts: readonly ClasspathDataJar[];
}

/** `src/launcher/classpath_sets.json`. */
export interface ClasspathData {
  readonly $comment: string;
  readonly mainClass: string;
  readonly default: string;
  readonly repository: string;
  readonly sets: readonly ClasspathDataSet[];
}

/** A property's type in the table; see `src/launcher/_property_table.ts`. */
export type TableType = string | { readonly enum: readonly string[]; readonly hints?: Record<string, string> };

/** One release's property table. */
export interface PropertyTable {
  readonly kcl: string;
  readonly groups: readonly { readonly name: string; readonly properties: Record<string, TableType> }[];
  readonly prefixes: readonly string[];
  /** Key prefixes the daemon matches in any case, rewriting them to this spelling. */
  readonly anyCasePrefixes: readonly string[];
}

/** `src/launcher/_daemon_properties.json`. */
export interface PropertyData {
  readonly $comment: string;
  readonly source: string;
  readonly tables: readonly PropertyTable[];
}

interface Extracted {
  readonly properties: readonly {
    readonly key: string;
    readonly group: string;
    readonly type: string | { readonly enum: string[]; readonly refused: Record<string, string> };
  }[];
  readonly prefixes: readonly string[];
  readonly anyCasePrefixes: readonly string[];
  readonly javaMin: number;
  readonly javaMinJar: string;
}

// Advice for values the daemon refuses, keyed `property:VALUE`, used only when the jars prove the refusal.
const ADVICE: Readonly<Record<string, string>> = {
  "initialPositionInStream:AT_TIMESTAMP":
    "set `initialPositionInStreamExtended` to the start time in epoch seconds instead",
};

const ROOT = new URL("../", import.meta.url);
const CLASSPATH_FILE = "src/launcher/classpath_sets.json";
const PROPERTIES_FILE = "src/launcher/_daemon_properties.json";

function run(command: string, args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`Cannot run ${command} ${args.join(" ")}: ${error.message}\n${stdout}${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function pom(kcl: string): string {
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    "  <modelVersion>4.0.0</modelVersion>",
    `  <groupId>kcl-multilang.classpath</groupId><artifactId>kcl-${kcl}</artifactId><version>1</version>`,
    "  <dependencies>",
    `    <dependency><groupId>${DAEMON.groupId}</groupId><artifactId>${DAEMON.artifactId}</artifactId><version>${kcl}</version></dependency>`,
    "  </dependencies>",
    "</project>",
    "",
  ].join("\n");
}

const MVN_ARGS = [
  "--batch-mode",
  "--quiet",
  `${DEPENDENCY_PLUGIN}:list`,
  `${DEPENDENCY_PLUGIN}:build-classpath`,
  "-DincludeScope=runtime",
  "-DoutputAbsoluteArtifactFilename=true",
  "-DoutputFile=list.txt",
  "-Dmdep.outputFile=classpath.txt",
];

/** `Apache Maven 3.8.7` and `17.0.15` (the Java Maven runs on). */
async function toolVersions(): Promise<{ maven: string; java: string }> {
  // deno-lint-ignore no-control-regex
  const text = (await run("mvn", ["--batch-mode", "--version"])).replace(/\x1b\[[0-9;]*m/g, "");
  const maven = /^Apache Maven [^\s]+/m.exec(text)?.[0];
  const java = /^Java version: ([^,\s]+)/m.exec(text)?.[1];
  if (maven === undefined || java === undefined) throw new Error(`Cannot read mvn --version:\n${text}`);
  return { maven, java };
}

/** The coordinates of each resolved file, from `dependency:list` lines `g:a:type[:classifier]:v:scope:/path`. */
function parseList(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/ -- module .*$/, "").trim();
    const parts = line.split(":");
    if (parts.length < 6) continue;
    const [groupId, artifactId, type, ...rest] = parts;
    const path = rest.pop()!;
    rest.pop(); // scope
    const version = rest.pop()!;
    const classifier = rest.pop();
    if (type !== "jar") throw new Error(`Cannot put ${line} on a classpath: it is a ${type}, not a jar`);
    names.set(path, [groupId, artifactId, version, ...(classifier === undefined ? [] : [classifier])].join(":"));
  }
  return names;
}

/** Resolves one release with Maven and reads its property table from the jars. */
async function resolveRelease(
  release: (typeof RELEASES)[number],
  tools: { maven: string; java: string },
  date: string,
): Promise<{ set: ClasspathDataSet; table: PropertyTable }> {
  const dir = await mkdtemp(join(tmpdir(), `kcl-${release.kcl}-`));
  try {
    const text = pom(release.kcl);
    await writeFile(join(dir, "pom.xml"), text);
    await run("mvn", MVN_ARGS, dir);
    const names = parseList(await readFile(join(dir, "list.txt"), "utf8"));
    const paths = (await readFile(join(dir, "classpath.txt"), "utf8")).trim().split(":");
    if (paths.length !== names.size) {
      throw new Error(`Maven listed ${names.size} jars but a classpath of ${paths.length}`);
    }
    const artifacts: ClasspathDataJar[] = [];
    for (const path of paths) {
      const name = names.get(path);
      if (name === undefined) throw new Error(`Cannot name ${path}: dependency:list does not list it`);
      const bytes = await readFile(path);
      artifacts.push({ name, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length });
    }
    const first = artifacts[0]?.name;
    if (first !== `${DAEMON.groupId}:${DAEMON.artifactId}:${release.kcl}`) {
      throw new Error(`Cannot use the resolution of KCL ${release.kcl}: its classpath starts with ${first}`);
    }
    const script = new URL(".ci/daemon_properties.java", ROOT).pathname;
    const extracted = JSON.parse(await run("java", ["-cp", paths.join(":"), script, ...paths])) as Extracted;
    const javaMinJar = names.get(extracted.javaMinJar) ?? extracted.javaMinJar;
    const set: ClasspathDataSet = {
      kcl: release.kcl,
      javaMin: extracted.javaMin,
      javaMinEvidence:
        `The newest class files in these jars (module-info and META-INF/versions aside) are Java ${extracted.javaMin}'s, first found in ${javaMinJar}.`,
      notes: release.notes,
      provenance: {
        maven: tools.maven,
        java: tools.java,
        repository: REPOSITORY,
        date,
        pom: text,
        command: `mvn ${MVN_ARGS.join(" ")}`,
      },
      artifacts,
    };
    return { set, table: propertyTable(release.kcl, extracted) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function propertyTable(kcl: string, extracted: Extracted): PropertyTable {
  const groups = new Map<string, Record<string, TableType>>();
  for (const { key, group, type } of extracted.properties) {
    let table = groups.get(group);
    if (table === undefined) groups.set(group, table = {});
    if (typeof type === "string") {
      table[key] = type;
      continue;
    }
    const hints: Record<string, string> = {};
    for (const [value, why] of Object.entries(type.refused)) {
      const advice = ADVICE[`${key}:${value}`];
      hints[value] = `the daemon refuses ${value} here (${why})${advice === undefined ? "" : `: ${advice}`}`;
    }
    table[key] = Object.keys(hints).length === 0 ? { enum: type.enum } : { enum: type.enum, hints };
  }
  return {
    kcl,
    groups: [...groups].map(([name, properties]) => ({ name, properties })),
    prefixes: [...extracted.prefixes],
    anyCasePrefixes: [...extracted.anyCasePrefixes],
  };
}

/** Resolves every release and builds both data files. */
export async function generate(date: string): Promise<{ classpath: ClasspathData; properties: PropertyData }> {
  const tools = await toolVersions();
  const sets: ClasspathDataSet[] = [];
  const tables: PropertyTable[] = [];
  for (const release of RELEASES) {
    const { set, table } = await resolveRelease(release, tools, date);
    sets.push(set);
    tables.push(table);
  }
  if (!sets.some((set) => set.kcl === DEFAULT_KCL)) throw new Error(`The default KCL ${DEFAULT_KCL} is not offered`);
  return {
    classpath: {
      $comment:
        "Generated by .ci/classpath_sets.ts from a Maven resolution of each release (see provenance); do not edit by hand: run `deno task data`.",
      mainClass: MAIN_CLASS,
      default: DEFAULT_KCL,
      repository: REPOSITORY,
      sets,
    },
    properties: {
      $comment:
        "Generated by .ci/classpath_sets.ts: .ci/daemon_properties.java reads each release's jars (as resolved for classpath_sets.json). Keys: MultiLangDaemonConfig's own (its PROP_* constants) and the writable bean properties of MultiLangDaemonConfiguration, which KinesisClientLibConfigurator sets with BeanUtils; groups name the KCL configuration each key feeds. Types: string (not checked), int, long, double, boolean, duration (ISO-8601), or an enum: the values its converter accepts (upper-cased first) and hints for values the setter refuses. Keys under prefixes (<prefix>.<property>) set nested beans, which the launcher cannot enumerate: any key under them is accepted. A key starting with one of anyCasePrefixes, in any case, is rewritten to that spelling first (KCL 3's KinesisClientLibConfigurator.processKey). Do not edit by hand.",
      source:
        "software.amazon.kinesis.multilang.MultiLangDaemonConfig and software.amazon.kinesis.multilang.config.MultiLangDaemonConfiguration in amazon-kinesis-client-multilang, read by reflection from the jars listed in classpath_sets.json",
      tables,
    },
  };
}

/** The data with every provenance date replaced, for comparisons that ignore the date. */
export function withoutDates(data: ClasspathData): ClasspathData {
  return { ...data, sets: data.sets.map((set) => ({ ...set, provenance: { ...set.provenance, date: "" } })) };
}

/** Why Maven Central cannot be reached within 10 s, or `undefined` when it can. */
export async function unreachable(): Promise<string | undefined> {
  const release = RELEASES[0]!.kcl;
  const url = `${REPOSITORY}/${
    DAEMON.groupId.replaceAll(".", "/")
  }/${DAEMON.artifactId}/${release}/${DAEMON.artifactId}-${release}.pom`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    return response.ok ? undefined : `${url} returned HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return `${url} failed: ${error instanceof Error ? error.message : String(error)}${
      cause instanceof Error ? ` (${cause.message})` : ""
    }`;
  }
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

async function main(args: readonly string[]): Promise<number> {
  const verify = args.includes("--verify");
  const why = await unreachable();
  if (why !== undefined) {
    process.stdout.write(
      `SKIPPED: cannot reach Maven Central (${why}); the committed jar lists, digests and property tables were not re-resolved\n`,
    );
    return verify ? 0 : 1;
  }
  const date = new Date().toISOString().slice(0, 10);
  const fresh = await generate(date);
  const classpathUrl = new URL(CLASSPATH_FILE, ROOT);
  const propertiesUrl = new URL(PROPERTIES_FILE, ROOT);
  if (!verify) {
    await writeFile(classpathUrl, json(fresh.classpath));
    await writeFile(propertiesUrl, json(fresh.properties));
    process.stdout.write(`Wrote ${CLASSPATH_FILE} and ${PROPERTIES_FILE} (${fresh.classpath.sets.length} releases)\n`);
    return 0;
  }
  const committed = JSON.parse(await readFile(classpathUrl, "utf8")) as ClasspathData;
  const differences: string[] = [];
  if (json(withoutDates(committed)) !== json(withoutDates(fresh.classpath))) {
    differences.push(...describeDifferences(committed, fresh.classpath), `${CLASSPATH_FILE} differs`);
  }
  if (await readFile(propertiesUrl, "utf8") !== json(fresh.properties)) differences.push(`${PROPERTIES_FILE} differs`);
  if (differences.length > 0) {
    process.stdout.write(
      `FAILED: the committed data is not what Maven resolves now:\n  ${
        differences.join("\n  ")
      }\nRegenerate it with \`deno run --allow-all .ci/classpath_sets.ts\` and review the diff.\n`,
    );
    return 1;
  }
  const counts = fresh.classpath.sets.map((set) => `KCL ${set.kcl}: ${set.artifacts.length} jars`).join(", ");
  process.stdout.write(
    `OK: the committed data is what ${fresh.classpath.sets[0]?.provenance.maven} resolves (${counts})\n`,
  );
  return 0;
}

function describeDifferences(committed: ClasspathData, fresh: ClasspathData): string[] {
  const lines: string[] = [];
  for (const set of fresh.sets) {
    const old = committed.sets.find((candidate) => candidate.kcl === set.kcl);
    if (old === undefined) {
      lines.push(`KCL ${set.kcl} is new`);
      continue;
    }
    const before = new Map(old.artifacts.map((jar) => [jar.name, jar]));
    for (const jar of set.artifacts) {
      const previous = before.get(jar.name);
      if (previous === undefined) lines.push(`KCL ${set.kcl}: ${jar.name} is new`);
      else if (previous.sha256 !== jar.sha256 || previous.size !== jar.size) {
        lines.push(`KCL ${set.kcl}: ${jar.name} has other bytes (SHA-256 ${jar.sha256}, was ${previous.sha256})`);
      }
      before.delete(jar.name);
    }
    for (const name of before.keys()) lines.push(`KCL ${set.kcl}: ${name} is gone`);
  }
  return lines;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
