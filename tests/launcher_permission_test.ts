import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import {
  formatMissingPermissions,
  formatRefusal,
  missingPermissions,
  permissionFlag,
  permissionRefusal,
} from "../src/runtime/cli.ts";
import { createFakeJava } from "./support/launcher/fake_java.ts";
import { findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { lockForServedJars, startMavenServer } from "./support/launcher/maven_server.ts";
import type { StepFailure } from "./support/launcher/java_refusal.ts";
import { cleanEnv, onDeno, runLauncher } from "./support/launcher/run_launcher.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

/** The error Deno 2 throws when a permission is refused. */
const notCapable = (message: string): Error => Object.assign(new Error(message), { name: "NotCapable" });

describe("permission refusals", () => {
  it("are read from Deno's errors, anywhere in the cause chain", () => {
    const env = notCapable('Requires env access to "HOME", run again with the --allow-env flag');
    assert.deepEqual(permissionRefusal(env), { name: "env", target: "HOME", flag: "--allow-env" });
    assert.deepEqual(
      permissionRefusal(new TypeError("fetch failed", { cause: notCapable('Requires net access to "repo:443"') })),
      { name: "net", target: "repo:443", flag: "--allow-net" },
    );
    const older = Object.assign(new Error("Requires run access, run again with the --allow-run flag"), {
      name: "PermissionDenied",
    });
    assert.deepEqual(permissionRefusal(older), { name: "run", target: undefined, flag: "--allow-run" });
    assert.equal(permissionRefusal(new Error('Requires env access to "HOME"')), undefined);
    assert.equal(permissionRefusal("Requires env access"), undefined);
    assert.equal(
      formatRefusal({ name: "write", target: "/cache", flag: permissionFlag("write") }),
      'Deno refused write access to "/cache": run again with --allow-write',
    );
  });

  it("are listed up front with every flag that grants them", () => {
    assert.equal(
      formatMissingPermissions([
        { name: "net", target: "repo1.maven.org", why: "to download jars" },
        { name: "env", why: "to read HOME" },
        { name: "read", target: "app.properties", why: "to read the properties file" },
      ]),
      'Deno has not granted net access to "repo1.maven.org" (to download jars), env access (to read HOME) and ' +
        'read access to "app.properties" (to read the properties file): run again with --allow-env --allow-read --allow-net',
    );
    // Tests run with every permission (deno test -A); Bun and Node have no prompts.
    assert.deepEqual(missingPermissions([{ name: "env", why: "x" }, { name: "run", target: "java", why: "y" }]), []);
  });
});

if (onDeno) {
  describe("the launcher on Deno without permission flags", () => {
    it("names every missing flag at once instead of failing on the first refusal", async () => {
      const dir = await tempDir();
      await writeFile(join(dir, "app.properties"), "executableName = sh consumer.sh\n");
      const cache = join(dir, "cache");
      // One unrelated grant: a Deno child started without any permission flag inherits its parent's.
      const result = await runLauncher(["-p", "app.properties", "--cache", cache], dir, undefined, [
        "--no-prompt",
        "--allow-sys=hostname",
      ]);
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: "error: Cannot start the launcher: Deno has not granted " +
          "env access (to read HOME, PATH, JAVA_HOME and proxy settings, and to pass the environment to the daemon), " +
          'read access to "app.properties" (to read the properties file), ' +
          `read access to "${cache}" (to read the jar cache), run access to "java" (to run Java), ` +
          `write access to "${cache}" (to fill the jar cache), ` +
          'write access to "app.kcl.lock" (to write the lock file) and ' +
          'net access to "repo.maven.apache.org" (to download jars from https://repo.maven.apache.org/maven2): ' +
          "run again with --allow-env --allow-read --allow-write --allow-net --allow-run\n",
      });
    });

    it("says HOME could not be read for want of --allow-env, not that it is unset", async () => {
      const dir = await tempDir();
      await writeFile(join(dir, "app.properties"), "executableName = sh consumer.sh\n");
      const result = await runLauncher(["-p", "app.properties", "--check"], dir, undefined, [
        "--no-prompt",
        "--allow-read",
        "--allow-run",
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^error: Cannot start the launcher: Deno has not granted env access \(to read HOME/);
      assert.match(result.stderr, /: run again with --allow-env\n$/);
      assert.doesNotMatch(result.stderr, /HOME is not set/);
    });

    it("names a refusal met after the up-front check as one, with its flag", async () => {
      const dir = await tempDir();
      await writeFile(join(dir, "app.properties"), "executableName = sh consumer.sh\n");
      // Reading the properties and the cache is granted; looking for `sh` on PATH is not.
      const result = await runLauncher(["-p", "app.properties", "--cache", "cache", "--check"], dir, undefined, [
        "--no-prompt",
        "--allow-env",
        `--allow-read=${join(dir, "app.properties")},${join(dir, "cache")}`,
        "--allow-run",
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^error: Deno refused read access to "[^"]+": run again with --allow-read\n$/);
    });

    it("runs with a network grant scoped to the repository's host", async () => {
      const dir = await tempDir();
      await writeFile(
        join(dir, "app.properties"),
        "executableName = sh consumer.sh\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 1\n",
      );
      await writeFile(join(dir, "consumer.sh"), "");
      await writeFile(join(dir, "app.kcl.lock"), lockForServedJars(findClasspathSet("3.1.3")!));
      const java = await createFakeJava(dir);
      const server = await startMavenServer();
      try {
        const result = await runLauncher(
          ["-p", "app.properties", "--cache", "cache", "--java", java.path, "--repository", server.url, "--fetch"],
          dir,
          undefined,
          ["--no-prompt", "--allow-env", "--allow-read", "--allow-write", "--allow-net=127.0.0.1", "--allow-run"],
        );
        assert.equal(result.code, 0, result.stderr);
      } finally {
        await server.close();
      }
    });

    it("names a refusal met reading a file once, after what failed", async () => {
      const dir = await tempDir();
      await mkdir(join(dir, "conf"));
      await writeFile(
        join(dir, "conf", "app.properties"),
        "executableName = ./consumer.sh\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 1\n",
      );
      await writeFile(join(dir, "consumer.sh"), "", { mode: 0o755 });
      const java = await createFakeJava(dir);
      // Everything the launcher reads but the lock file beside the properties.
      const readable = [join(dir, "conf", "app.properties"), join(dir, "cache"), java.path, join(dir, "consumer.sh")];
      const result = await runLauncher(
        ["-p", "conf/app.properties", "--cache", "cache", "--java", java.path, "--print"],
        dir,
        undefined,
        ["--no-prompt", "--allow-env", `--allow-read=${readable.join(",")}`, "--allow-run"],
      );
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: "error: Cannot read the lock file conf/app.kcl.lock: Deno refused read access to " +
          `"${join(dir, "conf", "app.kcl.lock")}": run again with --allow-read\n`,
      });
    });

    it("asks for run access to the java it will run: $JAVA_HOME/bin/java, not `java`", async () => {
      const dir = await tempDir();
      await writeFile(
        join(dir, "app.properties"),
        "executableName = sh consumer.sh\napplicationName = a\nstreamName = s\nshutdownGraceMillis = 1\n",
      );
      await writeFile(join(dir, "consumer.sh"), "");
      await mkdir(join(dir, "jdk", "bin"), { recursive: true });
      const java = await createFakeJava(join(dir, "jdk", "bin"));
      const result = await runLauncher(
        ["-p", "app.properties", "--cache", "cache", "--print"],
        dir,
        cleanEnv({ JAVA_HOME: join(dir, "jdk") }),
        ["--no-prompt", "--allow-env", "--allow-read", "--allow-run=java"],
      );
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: `error: Cannot start the launcher: Deno has not granted run access to "${java.path}" (to run Java): ` +
          "run again with --allow-run\n",
      });
    });

    it("keeps Deno's refusal as the cause when Java cannot start, and names it", async () => {
      const dir = await tempDir();
      const java = await createFakeJava(dir);
      const script = new URL("./support/launcher/java_refusal.ts", import.meta.url).pathname;
      // Everything but run access: both Java steps are refused.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-env", script, java.path],
        { cwd: dir },
      );
      const refusal = `Deno refused run access to "${java.path}": run again with --allow-run`;
      assert.deepEqual(stdout.trim().split("\n").map((line) => JSON.parse(line) as StepFailure), [
        {
          step: "checkJava",
          kind: "permission",
          message: `Cannot run \`${java.path} -version\`: ${refusal}`,
          refusal: "--allow-run",
        },
        {
          step: "runDaemon",
          kind: "permission",
          message: `Cannot start the daemon with ${java.path}: ${refusal}`,
          refusal: "--allow-run",
        },
      ]);
    });

    it("asks only for what the mode needs: --print neither downloads nor writes", async () => {
      const dir = await tempDir();
      const result = await runLauncher(
        ["-p", "app.properties", "--cache", join(dir, "cache"), "--print"],
        dir,
        undefined,
        [
          "--no-prompt",
          "--allow-env",
          "--allow-read",
          "--allow-run",
        ],
      );
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: "error: Cannot read the properties file app.properties: no such file\n",
      });
    });
  });
}
