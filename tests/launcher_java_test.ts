import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { checkJava, javaHomeWarning, locateJava } from "../src/launcher/_java_runtime.ts";
import { parseJavaMajorVersion } from "../src/launcher/_java_version.ts";
import { LauncherError } from "../src/launcher/mod.ts";
import { createFakeJava } from "./support/launcher/fake_java.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const javaError = (message: string) => (error: unknown): boolean => {
  assert.ok(error instanceof LauncherError);
  assert.equal(error.kind, "java");
  assert.equal(error.message, message);
  return true;
};

describe("parseJavaMajorVersion", () => {
  it("reads 1.x and modern numbering", () => {
    assert.equal(
      parseJavaMajorVersion(
        'java version "1.8.0_392"\nJava(TM) SE Runtime Environment',
      ),
      8,
    );
    assert.equal(parseJavaMajorVersion('openjdk version "1.7.0_80"'), 7);
    assert.equal(
      parseJavaMajorVersion('openjdk version "17.0.9" 2023-10-17'),
      17,
    );
    assert.equal(parseJavaMajorVersion('openjdk version "21" 2023-09-19'), 21);
    assert.equal(
      parseJavaMajorVersion('openjdk version "24-ea" 2025-03-18'),
      24,
    );
    assert.equal(
      parseJavaMajorVersion("Picked up JAVA_TOOL_OPTIONS\nno version here"),
      undefined,
    );
  });
});

describe("locateJava", () => {
  it("prefers --java, then JAVA_HOME/bin/java, then PATH", async () => {
    const dir = await tempDir();
    const home = join(dir, "jdk");
    await mkdir(join(home, "bin"), { recursive: true });
    const homeJava = await createFakeJava(join(home, "bin"));
    const pathDir = join(dir, "path");
    await mkdir(pathDir);
    const pathJava = await createFakeJava(pathDir);
    assert.equal(
      await locateJava({ java: homeJava.path, path: pathDir }),
      homeJava.path,
    );
    assert.equal(
      await locateJava({ javaHome: home, path: pathDir }),
      homeJava.path,
    );
    assert.equal(
      await locateJava({ javaHome: join(dir, "nojdk"), path: pathDir }),
      pathJava.path,
    );
  });

  it("says when JAVA_HOME points nowhere, and which java is used instead", async () => {
    const dir = await tempDir();
    const pathDir = join(dir, "path");
    await mkdir(pathDir);
    const pathJava = await createFakeJava(pathDir);
    const where = { javaHome: join(dir, "nojdk"), path: pathDir };
    const used = await locateJava(where);
    assert.equal(used, pathJava.path);
    assert.equal(
      await javaHomeWarning(where, used),
      `JAVA_HOME is ${join(dir, "nojdk")}, but ${join(dir, "nojdk", "bin", "java")} is not an executable file: ` +
        `using ${pathJava.path} (java on PATH) instead; fix or unset JAVA_HOME`,
    );
    // A JAVA_HOME that works, and an explicit --java, are nothing to report.
    const home = join(dir, "jdk");
    await mkdir(join(home, "bin"), { recursive: true });
    const homeJava = await createFakeJava(join(home, "bin"));
    assert.equal(await javaHomeWarning({ javaHome: home, path: pathDir }, homeJava.path), undefined);
    assert.equal(await javaHomeWarning({ ...where, java: pathJava.path }, pathJava.path), undefined);
    // Without java on PATH either, the error names JAVA_HOME.
    await assert.rejects(
      locateJava({ javaHome: join(dir, "nojdk"), path: join(dir, "empty") }),
      javaError(
        `Cannot find Java: JAVA_HOME is ${join(dir, "nojdk")}, but ${
          join(dir, "nojdk", "bin", "java")
        } is not an executable file, and there is no \`java\` on PATH; fix JAVA_HOME or pass --java <path>`,
      ),
    );
  });

  it("names what to do when there is no Java", async () => {
    const dir = await tempDir();
    await assert.rejects(
      locateJava({ path: dir }),
      javaError(
        "Cannot find Java: pass --java <path>, set JAVA_HOME, or put `java` on PATH",
      ),
    );
    await assert.rejects(
      locateJava({ java: join(dir, "java"), path: dir }),
      javaError(
        `Cannot run Java at ${join(dir, "java")}: not an executable file`,
      ),
    );
  });
});

describe("checkJava", () => {
  it("accepts a new enough Java", async () => {
    const java = await createFakeJava(
      await tempDir(),
      'java version "1.8.0_392"',
    );
    assert.deepEqual(await checkJava(java.path, 8, "KCL 3.1.3"), {
      path: java.path,
      major: 8,
    });
  });

  it("refuses a Java below the set's minimum", async () => {
    const java = await createFakeJava(
      await tempDir(),
      'java version "1.7.0_80"',
    );
    await assert.rejects(
      checkJava(java.path, 8, "KCL 3.1.3"),
      javaError(
        `Cannot use Java 7 at ${java.path}: KCL 3.1.3 needs Java 8 or newer`,
      ),
    );
  });

  it("reports a banner without a version", async () => {
    const java = await createFakeJava(
      await tempDir(),
      "Error: could not open jvm.cfg",
    );
    await assert.rejects(
      checkJava(java.path, 8, "KCL 3.1.3"),
      javaError(
        `Cannot read the Java version from \`${java.path} -version\`: Error: could not open jvm.cfg`,
      ),
    );
  });
});
