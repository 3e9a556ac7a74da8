import assert from "node:assert/strict";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { artifactName, artifactPath } from "../src/launcher/maven_artifact.ts";
import { type ClasspathSet, launch } from "../src/launcher/mod.ts";
import { findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { createFakeJava, type FakeJava } from "./support/launcher/fake_java.ts";
import {
  jarBytes,
  lockForServedJars,
  type MavenServer,
  sha256,
  startMavenServer,
  tamperedJarBytes,
} from "./support/launcher/maven_server.ts";
import { runLauncher } from "./support/launcher/run_launcher.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const KCL_3_1_3 = findClasspathSet("3.1.3")!;
const TAMPERED = KCL_3_1_3.artifacts[5]!;
const TAMPERED_PATH = artifactPath(TAMPERED);
const LOCK = "conf/app.kcl.lock";

/** A folder with `conf/app.properties`, `consumer.sh`, a fake java; `cache` is empty. */
async function workspace(): Promise<{ dir: string; java: FakeJava }> {
  const dir = await tempDir();
  await mkdir(join(dir, "conf"));
  await writeFile(
    join(dir, "conf", "app.properties"),
    "executableName = sh consumer.sh\napplicationName = orders\nstreamName = orders\nshutdownGraceMillis = 30000\n",
  );
  await writeFile(join(dir, "consumer.sh"), "exit 0\n");
  return { dir, java: await createFakeJava(dir) };
}

describe("lock file", () => {
  let good: MavenServer;
  let rogue: MavenServer;
  before(async () => {
    good = await startMavenServer();
    rogue = await startMavenServer({ tampered: [TAMPERED_PATH] });
  });
  after(async () => {
    await good.close();
    await rogue.close();
  });

  const args = (java: FakeJava, repository: string, cache: string, ...more: string[]): string[] => [
    "--properties",
    "conf/app.properties",
    "--repository",
    repository,
    "--cache",
    cache,
    "--java",
    java.path,
    "--retry-delay",
    "1",
    ...more,
  ];

  /** Locks the good repository's jars (as on a trusted machine), then fetches them into `cache`. */
  async function locked(): Promise<{ dir: string; java: FakeJava }> {
    const { dir, java } = await workspace();
    await writeFile(join(dir, LOCK), lockForServedJars(KCL_3_1_3));
    const result = await runLauncher(args(java, good.url, join(dir, "cache"), "--fetch"), dir);
    assert.equal(result.code, 0, result.stderr);
    return { dir, java };
  }

  it("is written after the first verified download: sorted, one jar a line, SHA-256 and size", async () => {
    // A custom set without pinned digests: its first download is checked against the repository's .sha1.
    const { dir, java } = await workspace();
    const unpinned: ClasspathSet = {
      ...KCL_3_1_3,
      artifacts: KCL_3_1_3.artifacts.map(({ groupId, artifactId, version }) => ({ groupId, artifactId, version })),
    };
    const code = await launch({
      properties: "conf/app.properties",
      cwd: dir,
      cacheDir: join(dir, "cache"),
      classpathSet: unpinned,
      repository: good.url,
      java: java.path,
      mode: "fetch",
      env: (name) => name === "PATH" ? "/usr/bin:/bin" : undefined,
    });
    assert.equal(code, 0);
    assert.ok(good.requests.some((path) => path.endsWith(".jar.sha1")));
    const expected = KCL_3_1_3.artifacts
      .map((artifact) => {
        const bytes = jarBytes(artifactPath(artifact));
        return `${artifactName(artifact)} ${sha256(bytes)} ${bytes.length}`;
      })
      .sort();
    const lines = (await readFile(join(dir, LOCK), "utf8")).split("\n");
    assert.deepEqual(lines.filter((line) => !line.startsWith("#")), ["kcl 3.1.3", ...expected, ""]);
    assert.match(
      lines[0] ?? "",
      /^# @kcl\/multilang launcher lock file: the jars of KCL 3\.1\.3 by SHA-256 and size\.$/,
    );
  });

  it("refuses, on the very first download, a jar whose bytes differ from the digest the launcher pins", async () => {
    const { dir, java } = await workspace();
    const cache = join(dir, "cache");
    const before = good.requests.length;
    const result = await runLauncher(args(java, good.url, cache, "--fetch", "--kcl", "2.5.4"), dir);
    assert.equal(result.code, 1);
    // Six downloads run at once: whichever is refused first is named, with both digests.
    const match =
      /^error: Cannot use ([\w.:-]+): the jar downloaded from (\S+) has SHA-256 ([0-9a-f]{64}) \((\d+) bytes\), but the launcher's KCL 2\.5\.4 list pins ([0-9a-f]{64}) \((\d+) bytes\); the repository serves other bytes than Maven Central did when the launcher's list was made: check the repository or mirror \(--repository\)$/m
        .exec(result.stderr);
    assert.ok(match !== null, result.stderr);
    const [, name, url, actual, actualSize, pinned, pinnedSize] = match;
    const artifact = findClasspathSet("2.5.4")!.artifacts.find((candidate) => artifactName(candidate) === name)!;
    const served = jarBytes(artifactPath(artifact));
    assert.equal(url, `${good.url}/${artifactPath(artifact)}`);
    assert.deepEqual([actual, Number(actualSize)], [sha256(served), served.length]);
    assert.deepEqual([pinned, Number(pinnedSize)], [artifact.sha256, artifact.size]);
    // Pinned jars are checked against the pins alone (no .sha1), and nothing unverified enters the cache or a lock.
    assert.ok(good.requests.slice(before).every((path) => path.endsWith(".jar")));
    await assert.rejects(stat(join(cache, "jars", ...artifactPath(artifact).split("/"))));
    await assert.rejects(stat(join(dir, LOCK)));
  });

  it("refuses, from an empty cache, a jar a mirror serves with other bytes and a matching .sha1", async () => {
    const { dir, java } = await locked();
    const cache = join(dir, "fresh-cache");
    const result = await runLauncher(args(java, rogue.url, cache), dir);
    const original = jarBytes(TAMPERED_PATH);
    const served = tamperedJarBytes(TAMPERED_PATH);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^error: Cannot use ${artifactName(TAMPERED).replaceAll(".", "\\.")}: the jar downloaded from ${rogue.url}/${
          TAMPERED_PATH.replaceAll(".", "\\.")
        } has SHA-256 ${sha256(served)} \\(${served.length} bytes\\), but the lock file ${LOCK} expects ${
          sha256(original)
        } \\(${original.length} bytes\\); the repository serves other bytes than when the lock was made`,
        "m",
      ),
    );
    await assert.rejects(stat(join(cache, "jars", ...TAMPERED_PATH.split("/"))));
    assert.deepEqual(await java.readArgs(), []);
  });

  it("refuses a lock made for another set, saying what to do", async () => {
    const { dir, java } = await locked();
    const result = await runLauncher(args(java, good.url, join(dir, "cache"), "--kcl", "2.5.4", "--print"), dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `error: Cannot use the lock file ${LOCK}: it locks the jars of KCL 3.1.3, but this run uses KCL 2.5.4; ` +
        "pass --kcl 3.1.3, or --lock <another file> to lock KCL 2.5.4 separately\n",
    });
    await writeFile(join(dir, "conf", "app-2.5.4.kcl.lock"), lockForServedJars(findClasspathSet("2.5.4")!));
    const separate = await runLauncher(
      args(java, good.url, join(dir, "cache"), "--kcl", "2.5.4", "--lock", "conf/app-2.5.4.kcl.lock", "--fetch"),
      dir,
    );
    assert.equal(separate.code, 0, separate.stderr);
    assert.match(separate.stderr, /All \d+ jars of KCL 2\.5\.4 are in the cache/);
  });

  it("refuses a cached jar whose verified note disagrees with the lock, before running or printing", async () => {
    const { dir, java } = await locked();
    const cache = join(dir, "cache");
    const jar = join(cache, "jars", ...TAMPERED_PATH.split("/"));
    const original = jarBytes(TAMPERED_PATH);
    const other = "f".repeat(64);
    // The note is what a run trusts (the check re-hashes): one that records other bytes must stop it.
    const note = (await readFile(`${jar}.verified`, "utf8")).trim().split(" ");
    await writeFile(`${jar}.verified`, `${note[0]} ${note[1]} ${other}\n`);
    for (const mode of [["--print"], []]) {
      const result = await runLauncher(args(java, good.url, cache, ...mode), dir);
      assert.deepEqual(result, {
        code: 1,
        stdout: "",
        stderr:
          `error: Cannot use ${artifactName(TAMPERED)}: the cached ${jar} has SHA-256 ${other} (${original.length} ` +
          `bytes), but the lock file ${LOCK} expects ${sha256(original)} (${original.length} bytes); delete it to ` +
          "download it again, or re-create the lock on a trusted machine if the lock is outdated\n",
      }, mode.join(" "));
    }
    assert.deepEqual(await java.readArgs(), []);
  });

  it("says in words why a lock file cannot be read", async () => {
    const { dir, java } = await workspace();
    await mkdir(join(dir, LOCK));
    const result = await runLauncher(args(java, good.url, join(dir, "cache"), "--print"), dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `error: Cannot read the lock file ${LOCK}: it is a folder\n`,
    });
  });

  it("refuses a malformed lock, naming the line", async () => {
    const { dir, java } = await workspace();
    await writeFile(join(dir, LOCK), "kcl 3.1.3\ncom.example:a:1 not-a-digest 12\n");
    const result = await runLauncher(args(java, good.url, join(dir, "cache"), "--print"), dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `error: Cannot read the lock file ${LOCK}: line 2 is not \`kcl <release>\` nor ` +
        "`<group:artifact:version> <sha256> <size>`; restore it from version control, or delete it to lock again\n",
    });
  });

  it("--check without a lock verifies the cached jars against the pinned digests by their bytes", async () => {
    const { dir, java } = await locked();
    await rm(join(dir, LOCK));
    const cache = join(dir, "cache");
    const result = await runLauncher(args(java, good.url, cache, "--check"), dir);
    assert.equal(result.code, 1);
    const jar = join(cache, "jars", ...TAMPERED_PATH.split("/"));
    const served = jarBytes(TAMPERED_PATH);
    assert.ok(
      result.stdout.includes(
        `error   jars: Cannot use ${artifactName(TAMPERED)}: the cached ${jar} has SHA-256 ${
          sha256(served)
        } (${served.length} bytes), but the launcher's KCL 3.1.3 list pins ${TAMPERED.sha256} (${TAMPERED.size} bytes); ` +
          "delete it to download it again\n",
      ),
      result.stdout,
    );
    const errors = KCL_3_1_3.artifacts.length;
    assert.match(result.stdout, new RegExp(`^Check failed: ${errors} errors, 1 warning;`, "m"));
  });

  it("--check verifies the cached jars against the lock by their bytes", async () => {
    const { dir, java } = await locked();
    const cache = join(dir, "cache");
    const passed = await runLauncher(args(java, good.url, cache, "--check"), dir);
    assert.equal(passed.code, 0, passed.stdout);
    assert.match(passed.stdout, /^ok +lock: the \d+ cached jars match conf\/app\.kcl\.lock \(SHA-256 and size\)$/m);

    // Same size, other bytes: the cache's own note cannot tell, the check re-hashes.
    const jar = join(cache, "jars", ...TAMPERED_PATH.split("/"));
    const original = jarBytes(TAMPERED_PATH);
    const swapped = new Uint8Array(original);
    swapped[3] = swapped[3]! ^ 1;
    await writeFile(jar, swapped);
    const failed = await runLauncher(args(java, good.url, cache, "--check"), dir);
    assert.equal(failed.code, 1);
    assert.ok(
      failed.stdout.includes(
        `error   lock: Cannot use ${artifactName(TAMPERED)}: the cached ${jar} has SHA-256 ${
          sha256(swapped)
        } (${swapped.length} bytes), but the lock file ${LOCK} expects ${
          sha256(original)
        } (${original.length} bytes); delete it to download it again\n`,
      ),
      failed.stdout,
    );
    assert.match(failed.stdout, /^Check failed: 1 error, 0 warnings;/m);
  });
});
