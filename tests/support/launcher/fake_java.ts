/**
 * A fake `java` for launcher tests: a `#!/bin/sh` script that prints a
 * given `-version` banner to stderr (as the real one does), and otherwise
 * records its arguments, one per line, and exits with a given code.
 */

import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A fake java written to a folder. */
export interface FakeJava {
  /** Path of the script. */
  readonly path: string;
  /** The arguments of the last non-`-version` run (empty if none). */
  readArgs(): Promise<string[]>;
  /** `NODE_COMPILE_CACHE` as the last non-`-version` run saw it. */
  readNodeCompileCache(): Promise<string>;
}

const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

/** Writes `java` into `folder` (created by the caller). */
export async function createFakeJava(
  folder: string,
  banner = 'openjdk version "17.0.9" 2023-10-17\nOpenJDK Runtime Environment (build 17.0.9+9)',
  exitCode = 0,
): Promise<FakeJava> {
  const path = join(folder, "java");
  const argsFile = join(folder, "java-args.txt");
  await writeFile(
    path,
    `#!/bin/sh
if [ "$1" = "-version" ]; then
  printf '%s\\n' ${quote(banner)} >&2
  exit 0
fi
printf '%s\\n' "$@" > ${quote(argsFile)}
printf '%s' "$NODE_COMPILE_CACHE" > ${quote(join(folder, "java-node-compile-cache.txt"))}
if [ "$KCL_FAKE_JAVA_WAIT" = "1" ]; then
  # Wait for SIGTERM/SIGINT from the launcher; report which one arrived.
  trap 'kill $sleeper; echo "daemon got TERM"; exit 143' TERM
  trap 'kill $sleeper; echo "daemon got INT"; exit 130' INT
  # The sleeper never holds the launcher's stdout: were it orphaned, the pipe would stay open for its minute.
  sleep 60 >/dev/null 2>&1 & sleeper=$!
  echo "daemon started"
  wait $sleeper
fi
exit ${exitCode}
`,
  );
  await chmod(path, 0o755);
  return {
    path,
    readNodeCompileCache: () => readFile(join(folder, "java-node-compile-cache.txt"), "utf8"),
    async readArgs() {
      try {
        return (await readFile(argsFile, "utf8")).split("\n").slice(0, -1);
      } catch {
        return [];
      }
    },
  };
}
