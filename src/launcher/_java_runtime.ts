/**
 * Finds the `java` executable and checks that it is new enough.
 *
 * @module
 */

import { join } from "node:path";
import { findProgram, isExecutableFile } from "../cli/find_program.ts";
import { formatRefusal, permissionRefusal } from "../runtime/cli.ts";
import { messageOf } from "../session/describe_error.ts";
import { parseJavaMajorVersion } from "./_java_version.ts";
import { LauncherError } from "./launcher_error.ts";
import { runCapture } from "./_run_capture.ts";

/**
 * A Java executable that passed the version check ({@linkcode checkJava}
 * returns one).
 */
export interface JavaRuntime {
  /** Path of the `java` executable. */
  readonly path: string;
  /** Its major version, e.g. 17. */
  readonly major: number;
}

/**
 * Where to look for Java.
 */
export interface LocateJavaOptions {
  /** An explicit path (`--java`); nothing else is tried when given. */
  readonly java?: string | undefined;
  /** `$JAVA_HOME`. */
  readonly javaHome?: string | undefined;
  /** `$PATH`. */
  readonly path?: string | undefined;
  /** `true` on Windows (`java.exe`). */
  readonly windows?: boolean;
}

/**
 * The `java` to use: `--java`, else `$JAVA_HOME/bin/java`, else `java` on PATH.
 * Throws a `java` {@linkcode LauncherError} when none is found.
 */
export async function locateJava(options: LocateJavaOptions): Promise<string> {
  const windows = options.windows ?? false;
  if (options.java !== undefined) {
    const found = await findProgram(options.java, {
      path: options.path,
      windows,
    });
    if (found === undefined) {
      throw new LauncherError(
        "java",
        `Cannot run Java at ${options.java}: not an executable file`,
      );
    }
    return found;
  }
  const ignored = await ignoredJavaHome(options);
  if (options.javaHome !== undefined && options.javaHome !== "" && ignored === undefined) {
    return join(options.javaHome, "bin", windows ? "java.exe" : "java");
  }
  const onPath = await findProgram("java", { path: options.path, windows });
  if (onPath === undefined) {
    throw new LauncherError(
      "java",
      ignored === undefined
        ? "Cannot find Java: pass --java <path>, set JAVA_HOME, or put `java` on PATH"
        : `Cannot find Java: JAVA_HOME is ${options.javaHome}, but ${ignored} is not an executable file, and there is no \`java\` on PATH; fix JAVA_HOME or pass --java <path>`,
    );
  }
  return onPath;
}

/**
 * `$JAVA_HOME/bin/java` when JAVA_HOME is set (and `--java` is not) but that
 * is no executable file, so that {@linkcode locateJava} passes it over; else `undefined`.
 */
export async function ignoredJavaHome(options: LocateJavaOptions): Promise<string | undefined> {
  if (options.java !== undefined || options.javaHome === undefined || options.javaHome === "") return undefined;
  const windows = options.windows ?? false;
  const candidate = join(options.javaHome, "bin", windows ? "java.exe" : "java");
  return await isExecutableFile(candidate, windows) ? undefined : candidate;
}

/** The warning for a JAVA_HOME passed over, naming the java used instead; `undefined` when none was. */
export async function javaHomeWarning(options: LocateJavaOptions, used: string): Promise<string | undefined> {
  const ignored = await ignoredJavaHome(options);
  return ignored === undefined
    ? undefined
    : `JAVA_HOME is ${options.javaHome}, but ${ignored} is not an executable file: using ${used} (java on PATH) instead; fix or unset JAVA_HOME`;
}

/**
 * Runs `<java> -version` and checks the major version against `minimum`.
 * Throws a `java` {@linkcode LauncherError}, or a `permission` one when Deno
 * refuses to run it (the refusal is its `cause`).
 */
export async function checkJava(
  java: string,
  minimum: number,
  needer: string,
): Promise<JavaRuntime> {
  let output: string;
  try {
    output = (await runCapture(java, ["-version"])).output;
  } catch (error) {
    const refusal = permissionRefusal(error);
    throw new LauncherError(
      refusal === undefined ? "java" : "permission",
      `Cannot run \`${java} -version\`: ${refusal === undefined ? messageOf(error) : formatRefusal(refusal)}`,
      { cause: error },
    );
  }
  const major = parseJavaMajorVersion(output);
  if (major === undefined) {
    const first = output.trim().split("\n")[0] ?? "";
    throw new LauncherError(
      "java",
      `Cannot read the Java version from \`${java} -version\`: ${first === "" ? "no output" : first}`,
    );
  }
  if (major < minimum) {
    throw new LauncherError(
      "java",
      `Cannot use Java ${major} at ${java}: ${needer} needs Java ${minimum} or newer`,
    );
  }
  return { path: java, major };
}
