/**
 * The command line that starts the MultiLangDaemon, and its shell-quoted form.
 *
 * @module
 */

import { delimiter, dirname, resolve } from "node:path";

/** The daemon's main class (KCL 2.x and 3.x): JVM options go before it, daemon options after it. */
export const DAEMON_MAIN_CLASS = "software.amazon.kinesis.multilang.MultiLangDaemon";

/** What the daemon command is made of. */
export interface DaemonCommandOptions {
  /** Path of `java`. */
  readonly java: string;
  /** Jar paths, in classpath order. */
  readonly jars: readonly string[];
  /** The properties file, as the user gave it. */
  readonly propertiesFile: string;
  /** A logback configuration file, if any. */
  readonly logConfiguration?: string | undefined;
  /** The current folder (default: the process's). */
  readonly cwd?: string;
  /** Classpath separator (default: `path.delimiter`). */
  readonly separator?: string;
}

/**
 * `[java, ...args]`: `java -cp <jars, the current folder, the properties
 * file's folder> MultiLangDaemon --properties-file <file> [--log-configuration <file>]`.
 * The two folders are on the classpath because the daemon looks the
 * properties file up as a class-path resource before the file system; when
 * they are one folder it is listed once.
 */
export function buildDaemonCommand(options: DaemonCommandOptions): string[] {
  const cwd = options.cwd ?? resolve(".");
  const propertiesFolder = dirname(resolve(cwd, options.propertiesFile));
  const classpath = [...options.jars, ...new Set([resolve(cwd), propertiesFolder])].join(
    options.separator ?? delimiter,
  );
  const command = [options.java, "-cp", classpath, DAEMON_MAIN_CLASS, "--properties-file", options.propertiesFile];
  if (options.logConfiguration !== undefined) {
    command.push("--log-configuration", options.logConfiguration);
  }
  return command;
}

/** Joins words for a POSIX shell: safe words stay bare, others are single-quoted (a `'` becomes `'\''`). */
export function shellQuote(words: readonly string[]): string {
  return words
    .map((word) => /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)
    .join(" ");
}
