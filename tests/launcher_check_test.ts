import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launch } from "../src/launcher/mod.ts";
import { findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { createFakeJava, type FakeJava } from "./support/launcher/fake_java.ts";
import { type MavenServer, startMavenServer } from "./support/launcher/maven_server.ts";
import { cleanEnv, runLauncher } from "./support/launcher/run_launcher.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const GOOD =
  "executableName = sh consumer.sh\napplicationName = orders\nstreamName = orders\nshutdownGraceMillis = 30000\n";

const KCL_3_1_3 = findClasspathSet("3.1.3")!;
const JARS = KCL_3_1_3.artifacts.length;
const JAVA_MIN = KCL_3_1_3.javaMin;

describe("launcher --check", () => {
  let server: MavenServer;
  before(async () => {
    server = await startMavenServer();
  });
  after(() => server.close());

  async function workspace(properties: string): Promise<{ dir: string; java: FakeJava; cache: string }> {
    const dir = await tempDir();
    await mkdir(join(dir, "conf"));
    await writeFile(join(dir, "conf", "app.properties"), properties);
    return { dir, java: await createFakeJava(dir), cache: join(dir, "cache") };
  }

  it("prints a checklist, downloads nothing and passes a sound setup", async () => {
    const { dir, java, cache } = await workspace(GOOD);
    await writeFile(join(dir, "consumer.sh"), "exit 0\n");
    const before = server.requests.length;
    const result = await runLauncher(
      ["-p", "conf/app.properties", "--check", "--java", java.path, "--cache", cache, "--repository", server.url],
      dir,
    );
    assert.deepEqual(result, {
      code: 0,
      stderr: "",
      stdout: [
        `Checking conf/app.properties for KCL 3.1.3 from ${dir}`,
        `ok      KCL 3.1.3: ${JARS} jars, Java ${JAVA_MIN} or newer`,
        "ok      required keys: executableName, applicationName and streamName are set",
        "ok      keys: all 4 are in KCL 3.1.3's property list, none set twice",
        "ok      values: numbers, booleans, durations and enum values read as meant; shutdownGraceMillis is set",
        `ok      executableName: \`sh consumer.sh\` will be found from ${dir}, where the daemon starts it`,
        `ok      Java: 17 at ${java.path} (KCL 3.1.3 needs ${JAVA_MIN} or newer)`,
        `warning jars: ${JARS} of ${JARS} are not in the cache ${
          join(cache, "jars")
        } yet: a run or --fetch downloads them from ${server.url}`,
        "warning lock: no lock file conf/app.kcl.lock yet: a run or --fetch writes it; commit it beside the properties file",
        "Check passed: 0 errors, 2 warnings",
        "",
      ].join("\n"),
    });
    assert.equal(server.requests.length, before);
  });

  it("fails on what the daemon would reject or misrun, each with its fix", async () => {
    const { dir, cache } = await workspace(
      "executableName = denoo run consumer.ts\napplicationName = orders\nstreamName = orders\n" +
        "initialPositionInStream = TRIM_HORIZN\nbanana = 1\nshutdownGraceMillis = 30000\n",
    );
    await writeFile(join(dir, "conf", "consumer.ts"), "");
    const bin = join(dir, "bin");
    await mkdir(bin);
    await writeFile(join(bin, "deno"), "#!/bin/sh\n", { mode: 0o755 });
    const result = await runLauncher(
      ["-p", "conf/app.properties", "--check", "--java", join(dir, "nojava"), "--cache", cache, "--offline"],
      dir,
      cleanEnv({ PATH: `${bin}:/usr/bin:/bin` }),
    );
    const where = `${dir} (the daemon's working folder: the launcher's)`;
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "");
    assert.deepEqual(result.stdout.split("\n").slice(3, -1), [
      "warning conf/app.properties:5: `banana` is not a daemon property in KCL 3.1.3's list: the daemon ignores it (unless a newer KCL release added it)",
      "error   conf/app.properties:4: `initialPositionInStream` is `TRIM_HORIZN`, not one of LATEST, TRIM_HORIZON; did you mean `TRIM_HORIZON`?",
      "error   conf/app.properties:1: `executableName` runs `denoo`, which is not on PATH; did you mean `deno`?",
      `error   conf/app.properties:1: \`executableName\` passes \`consumer.ts\`, which is not in ${where} but in ${
        join(dir, "conf")
      }: start the launcher from ${join(dir, "conf")}, or write \`executableName = denoo run conf/consumer.ts\``,
      `error   Java: Cannot run Java at ${join(dir, "nojava")}: not an executable file`,
      `error   jars: ${JARS} of ${JARS} are not in the cache ${
        join(cache, "jars")
      }, and --offline downloads nothing: run with --fetch first`,
      "warning lock: no lock file conf/app.kcl.lock yet: a run or --fetch writes it; commit it beside the properties file",
      "Check failed: 5 errors, 2 warnings; the daemon would not start or would not run as configured",
    ]);
  });

  it("exits 2 when the properties file does not exist", async () => {
    const dir = await tempDir();
    assert.deepEqual(await runLauncher(["-p", "app.properties", "--check", "--cache", join(dir, "cache")], dir), {
      code: 2,
      stdout: "",
      stderr: "error: Cannot read the properties file app.properties: no such file\n",
    });
  });

  it("warns that Node's fetch ignores a proxy unless NODE_USE_ENV_PROXY=1", async () => {
    const { dir, java, cache } = await workspace(GOOD);
    await writeFile(join(dir, "consumer.sh"), "exit 0\n");
    const check = async (env: Record<string, string>): Promise<string> => {
      let report = "";
      const code = await launch({
        properties: "conf/app.properties",
        cwd: dir,
        cacheDir: cache,
        java: java.path,
        mode: "check",
        runtime: "node",
        env: (name) => ({ PATH: "/usr/bin:/bin", ...env })[name],
        print: (text) => void (report += text),
      });
      assert.equal(code, 0);
      return report;
    };
    const warning =
      "warning proxy: HTTPS_PROXY is set, but Node's fetch ignores it unless NODE_USE_ENV_PROXY=1 is set; downloads go direct\n";
    assert.ok((await check({ HTTPS_PROXY: "http://proxy:3128" })).includes(warning));
    assert.ok(!(await check({ HTTPS_PROXY: "http://proxy:3128", NODE_USE_ENV_PROXY: "1" })).includes("proxy"));
    assert.ok(!(await check({})).includes("proxy"));
  });
});
