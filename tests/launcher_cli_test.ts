import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { artifactName, artifactPath } from "../src/launcher/maven_artifact.ts";
import { findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { createFakeJava, type FakeJava } from "./support/launcher/fake_java.ts";
import { jarBytes, lockForServedJars, type MavenServer, startMavenServer } from "./support/launcher/maven_server.ts";
import { cleanEnv, runLauncher, startLauncher } from "./support/launcher/run_launcher.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const MAIN = "software.amazon.kinesis.multilang.MultiLangDaemon";
const PROPERTIES = [
  "executableName = sh consumer.sh",
  "applicationName = orders",
  "streamName = orders",
  "shutdownGraceMillis = 30000",
  "",
].join("\n");
const KCL_3_1_3 = findClasspathSet("3.1.3")!;
const KCL_2_5_4 = findClasspathSet("2.5.4")!;
const MISSING_2_5_4 = artifactPath(KCL_2_5_4.artifacts[0]!);
const N = KCL_3_1_3.artifacts.length;

/**
 * A working folder with `consumer.sh`, `my app/app.properties`, its lock for the test repository's jars
 * (`my app/app.kcl.lock`), a fake java and an empty cache.
 */
async function workspace(
  banner?: string,
  exitCode?: number,
): Promise<{ dir: string; cache: string; java: FakeJava }> {
  const dir = await tempDir();
  await mkdir(join(dir, "my app"));
  await writeFile(join(dir, "my app", "app.properties"), PROPERTIES);
  await writeFile(join(dir, "my app", "app.kcl.lock"), lockForServedJars(KCL_3_1_3));
  await writeFile(join(dir, "consumer.sh"), "exit 0\n");
  const java = await createFakeJava(dir, banner, exitCode);
  return { dir, cache: join(dir, "cache"), java };
}

const jarsOf = (cache: string): string[] =>
  KCL_3_1_3.artifacts.map((artifact) => join(cache, "jars", ...artifactPath(artifact).split("/")));

const totalKb = (): string =>
  (KCL_3_1_3.artifacts.reduce((sum, a) => sum + jarBytes(artifactPath(a)).length, 0) / 1000).toFixed(1);

describe("launcher CLI", () => {
  let server: MavenServer;
  before(async () => {
    server = await startMavenServer({ missing: [MISSING_2_5_4] });
  });
  after(() => server.close());

  const common = (cache: string, java: FakeJava): string[] => [
    "--properties",
    "my app/app.properties",
    "--repository",
    server.url,
    "--cache",
    cache,
    "--java",
    java.path,
    "--retry-delay",
    "1",
  ];

  it("--print prints the command at once, downloading nothing, and says which jars to fetch", async () => {
    const { dir, cache, java } = await workspace();
    const classpath = [...jarsOf(cache), dir, join(dir, "my app")].join(":");
    const expected = `${java.path} -cp '${classpath}' ${MAIN} --properties-file 'my app/app.properties'\n`;
    const [first, second, third] = KCL_3_1_3.artifacts.map(artifactName);
    const warning =
      `warning: ${N} of ${N} jars are not in the cache ${join(cache, "jars")} yet (${first}, ${second}, ${third} ` +
      `and ${N - 3} more): the command fails until they are; download them with --fetch instead of --print\n`;
    const before = server.requests.length;
    assert.deepEqual(await runLauncher([...common(cache, java), "--print"], dir), {
      code: 0,
      stdout: expected,
      stderr: warning,
    });
    assert.deepEqual(await runLauncher([...common(cache, java), "--print", "--offline"], dir), {
      code: 0,
      stdout: expected,
      stderr: warning,
    });
    assert.equal(server.requests.length, before);
    assert.deepEqual(await java.readArgs(), []);
  });

  it("--fetch downloads the jars once, verified against the lock; --print then has nothing to add", async () => {
    const { dir, cache, java } = await workspace();
    const before = server.requests.length;
    const fetched = await runLauncher([...common(cache, java), "--fetch"], dir);
    assert.deepEqual(fetched, {
      code: 0,
      stdout: "",
      stderr: [
        `Downloading ${N} of ${N} jars from ${server.url}\n`,
        `Downloaded ${N} jars (${totalKb()} kB) into ${join(cache, "jars")}\n`,
        `All ${N} jars of KCL 3.1.3 are in the cache ${join(cache, "jars")}\n`,
      ].join(""),
    });
    // Jars with an expected digest (the lock's) are checked against it alone: no .sha1 requests.
    assert.equal(server.requests.length - before, N);
    const classpath = [...jarsOf(cache), dir, join(dir, "my app")].join(":");
    assert.deepEqual(await runLauncher([...common(cache, java), "--print", "--offline"], dir), {
      code: 0,
      stdout: `${java.path} -cp '${classpath}' ${MAIN} --properties-file 'my app/app.properties'\n`,
      stderr: "",
    });
    const again = await runLauncher([...common(cache, java), "--fetch"], dir);
    assert.deepEqual(again, {
      code: 0,
      stdout: "",
      stderr: `All ${N} jars of KCL 3.1.3 are in the cache ${join(cache, "jars")}\n`,
    });
    assert.equal(server.requests.length - before, N);
    assert.deepEqual(await java.readArgs(), []);
  });

  it("runs the daemon with the command line and returns its exit code", async () => {
    const { dir, cache, java } = await workspace(undefined, 3);
    await writeFile(join(dir, "logback.xml"), "<configuration/>");
    const result = await runLauncher([...common(cache, java), "--log-configuration", "logback.xml"], dir);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "");
    assert.deepEqual(await java.readArgs(), [
      "-cp",
      [...jarsOf(cache), dir, join(dir, "my app")].join(":"),
      MAIN,
      "--properties-file",
      "my app/app.properties",
      "--log-configuration",
      "logback.xml",
    ]);
    // Node consumer children keep their compiled code between starts: the daemon's environment gets a cache.
    assert.equal(await java.readNodeCompileCache(), join(cache, "node-compile-cache"));
  });

  it("keeps a NODE_COMPILE_CACHE the user set", async () => {
    const { dir, cache, java } = await workspace();
    const result = await runLauncher(common(cache, java), dir, cleanEnv({ NODE_COMPILE_CACHE: "/srv/node-cache" }));
    assert.equal(result.code, 0);
    assert.equal(await java.readNodeCompileCache(), "/srv/node-cache");
  });

  it("says when JAVA_HOME points nowhere, and which java it runs instead", async () => {
    const { dir, cache, java } = await workspace();
    const bin = join(dir, "bin");
    await mkdir(bin);
    const onPath = await createFakeJava(bin);
    const args = common(cache, java).filter((_, index, all) => all[index] !== "--java" && all[index - 1] !== "--java");
    const env = cleanEnv({ PATH: `${bin}:/usr/bin:/bin`, JAVA_HOME: join(dir, "no-jdk") });
    const result = await runLauncher([...args, "--print", "--offline"], dir, env);
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `^warning: JAVA_HOME is ${join(dir, "no-jdk")}, but ${
          join(dir, "no-jdk", "bin", "java")
        } is not an executable file: using ${onPath.path} \\(java on PATH\\) instead; fix or unset JAVA_HOME\n`,
      ),
    );
    assert.match(result.stdout, new RegExp(`^${onPath.path} -cp `));
    const check = await runLauncher([...args, "--check", "--offline"], dir, env);
    assert.match(check.stdout, /^warning JAVA_HOME: JAVA_HOME is .* is not an executable file: using .* instead/m);
  });

  it("lists the working folder once when the properties file is in it", async () => {
    const { dir, cache, java } = await workspace();
    await writeFile(join(dir, "app.properties"), PROPERTIES);
    await writeFile(join(dir, "app.kcl.lock"), lockForServedJars(KCL_3_1_3));
    const args = common(cache, java);
    args[1] = "app.properties";
    const result = await runLauncher([...args, "--print", "--offline"], dir);
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      `${java.path} -cp ${[...jarsOf(cache), dir].join(":")} ${MAIN} --properties-file app.properties\n`,
    );
  });

  it("forwards SIGTERM and SIGINT to the daemon and returns its exit code", async () => {
    for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
      const { dir, cache, java } = await workspace();
      const launcher = startLauncher(common(cache, java), dir, cleanEnv({ KCL_FAKE_JAVA_WAIT: "1" }));
      launcher.onStdout((chunk) => {
        if (chunk.includes("daemon started")) launcher.signal(signal);
      });
      const result = await launcher.done;
      assert.equal(result.stdout, `daemon started\ndaemon got ${signal.slice(3)}\n`);
      assert.equal(result.code, code);
    }
  });

  it("ends at once on a signal before the daemon starts (a download that hangs)", async () => {
    // A repository that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { dir, cache, java } = await workspace();
      const args = common(cache, java);
      args[args.indexOf("--repository") + 1] = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/maven2`;
      const launcher = startLauncher(args, dir);
      launcher.onStderr((chunk) => {
        if (chunk.includes("Downloading")) launcher.signal("SIGTERM");
      });
      const result = await launcher.done;
      assert.equal(result.code, 143);
      assert.match(result.stderr, /Stopped by SIGTERM before the daemon started\n$/);
      assert.deepEqual(await java.readArgs(), [], "the daemon never started");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("refuses a Java that is too old before downloading anything", async () => {
    const { dir, cache, java } = await workspace('java version "1.7.0_80"');
    const before = server.requests.length;
    const result = await runLauncher(common(cache, java), dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `error: Cannot use Java 7 at ${java.path}: KCL 3.1.3 needs Java ${KCL_3_1_3.javaMin} or newer\n`,
    });
    assert.equal(server.requests.length, before);
  });

  it("--offline fails with an empty cache", async () => {
    const { dir, cache, java } = await workspace();
    const result = await runLauncher([...common(cache, java), "--offline"], dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `error: Cannot run offline: ${N} of ${N} jars are not in the cache ${
        join(cache, "jars")
      } (first missing: software.amazon.kinesis:amazon-kinesis-client-multilang:3.1.3)\n`,
    });
  });

  it("names a missing artifact and exits non-zero", async () => {
    const { dir, cache, java } = await workspace();
    await writeFile(join(dir, "app-2.5.4.kcl.lock"), lockForServedJars(KCL_2_5_4));
    const result = await runLauncher([...common(cache, java), "--kcl", "2.5.4", "--lock", "app-2.5.4.kcl.lock"], dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: `Downloading ${KCL_2_5_4.artifacts.length} of ${KCL_2_5_4.artifacts.length} jars from ${server.url}\n` +
        `error: Cannot download software.amazon.kinesis:amazon-kinesis-client-multilang:2.5.4: ${server.url}/${MISSING_2_5_4} returned HTTP 404\n`,
    });
    assert.deepEqual(await java.readArgs(), []);
  });

  it("prints the cause of a failed download, not just `fetch failed`", async () => {
    const { dir, cache, java } = await workspace();
    const gone = await startMavenServer();
    await gone.close();
    const args = common(cache, java);
    args[3] = gone.url;
    const result = await runLauncher([...args, "--fetch"], dir);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      // Six downloads run at once: whichever gives up first is named.
      /^error: Cannot download [\w.-]+:[\w.-]+:[\w.-]+: http:\/\/127\.0\.0\.1:\d+\/maven2\/\S+\.jar failed: .*(ECONNREFUSED|Connection refused).* \(gave up after 5 attempts\)$/m,
    );
  });

  it("prints lint findings and stops on errors", async () => {
    const { dir, cache, java } = await workspace();
    await writeFile(join(dir, "bad.properties"), "executableName = sh consumer.sh\nsreamName = orders\n");
    const args = common(cache, java);
    args[1] = "bad.properties";
    const result = await runLauncher(args, dir);
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: [
        "bad.properties: error: Missing required property `applicationName`",
        "bad.properties: error: Missing required property `streamName` or `streamArn`",
        "bad.properties:2: warning: `sreamName` is not a daemon property in KCL 3.1.3's list; did you mean `streamName`?",
        "bad.properties: warning: `shutdownGraceMillis` is not set: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
        "error: Cannot start the daemon: bad.properties has 2 errors",
        "",
      ].join("\n"),
    });
  });

  it("an unknown release, properties file or repository scheme is a usage error, before any download", async () => {
    const { dir, cache, java } = await workspace();
    assert.deepEqual(await runLauncher([...common(cache, java), "--kcl", "3.1"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Cannot find a classpath set for KCL 3.1: known releases are 3.1.3, 2.5.4; did you mean 3.1.3?\n",
    });
    const before = server.requests.length;
    for (const mode of ["--fetch", "--check", "--print"]) {
      const ftp = common(cache, java);
      ftp[ftp.indexOf("--repository") + 1] = "ftp://mirror.example/maven2";
      assert.deepEqual(await runLauncher([...ftp, mode], dir), {
        code: 2,
        stdout: "",
        stderr:
          "error: Cannot use the repository `ftp://mirror.example/maven2`: the launcher downloads over https or " +
          "http, not ftp; pass --repository https://<host>/<path>\n",
      }, mode);
    }
    assert.equal(server.requests.length, before);
    const args = common(cache, java);
    args[1] = "my app/missing.properties";
    assert.deepEqual(await runLauncher(args, dir), {
      code: 2,
      stdout: "",
      stderr: "error: Cannot read the properties file my app/missing.properties: no such file\n",
    });
  });

  it("exits 2 on usage errors with a did-you-mean, and prints help on stdout", async () => {
    const dir = await tempDir();
    assert.deepEqual(await runLauncher(["--properties", "a", "--chek"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Unknown option `--chek`; did you mean `--check`?\n",
    });
    assert.deepEqual(await runLauncher(["--properties", "a", "--bogus"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Unknown option `--bogus`; see --help\n",
    });
    assert.deepEqual(await runLauncher(["-p", "a", "--print", "--check"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Options --print and --check cannot be combined\n",
    });
    assert.deepEqual(await runLauncher(["-p", "a", "extra"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Unexpected argument `extra`; see --help\n",
    });
    assert.deepEqual(await runLauncher(["-p", "a", "--offline=yes", "--kcl"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Option --offline takes no value\n",
    });
    assert.deepEqual(await runLauncher([], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Option --properties <file> is required; see --help\n",
    });
    // A string option never takes the next option as its value.
    assert.deepEqual(await runLauncher(["-p", "--check"], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Option --properties needs a value, but the option `--check` follows it; give the value first, " +
        "or write `--properties=--check` if the value starts with a dash\n",
    });
    const cache = await runLauncher(["-p", "a", "--cache", "--offline"], dir);
    assert.equal(cache.code, 2);
    assert.match(cache.stderr, /^error: Option --cache needs a value, but the option `--offline` follows it;/);
    const short = await runLauncher(["--properties", "-h"], dir);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^error: Option --properties needs a value, but the option `-h` follows it;/);
    const help = await runLauncher(["--help"], dir);
    assert.equal(help.code, 0);
    assert.equal(help.stderr, "");
    assert.match(help.stdout, /^Usage: kcl-launcher --properties <file> \[options\]\n/);
    assert.match(
      help.stdout,
      new RegExp(`^    3\\.1\\.3 \\(default; ${N} jars, Java ${KCL_3_1_3.javaMin}\\+\\)$`, "m"),
    );
    assert.match(help.stdout, /^ {4}2\.5\.4 \(\d+ jars, Java 8\+\)$/m);
    assert.match(help.stdout, /\(default https:\/\/repo\.maven\.apache\.org\/maven2\)/);
  });
});
