/**
 * Reads a shard host's relay out of `executableName`: `socat STDIO
 * UNIX-CONNECT:<path>` or OpenBSD netcat's `nc -N -U <path>`.
 *
 * @module
 */

import { basename, resolve } from "node:path";

/** A relay to a shard host, as `executableName` runs it. */
export interface RelayCommand {
  /** The relay program, as written. */
  readonly program: string;
  /** The socket it connects to, resolved against the daemon's working folder. */
  readonly socketPath: string;
  /** What is wrong with the relay's options, if anything. */
  readonly problem: string | undefined;
}

const SOCAT_UNIX = /^(?:UNIX-CONNECT|UNIX-CLIENT|UNIX|LOCAL):([^,]+)/i;

/** The relay `executableName` runs (split on spaces, as the daemon does), or `undefined` when it runs no relay. */
export function relayOf(executableName: string, cwd: string): RelayCommand | undefined {
  const words = executableName.trim().split(/ +/).filter((word) => word !== "");
  const [program, ...args] = words;
  if (program === undefined) return undefined;
  const name = basename(program);
  if (name === "socat") {
    const address = args.map((arg) => SOCAT_UNIX.exec(arg)?.[1]).find((path) => path !== undefined);
    if (address === undefined) return undefined;
    return { program, socketPath: resolve(cwd, address), problem: undefined };
  }
  if (name === "nc" || name === "netcat" || name === "nc.openbsd") {
    const flags = args.filter((arg) => /^-[A-Za-z]+$/.test(arg)).join("");
    const path = args.at(-1);
    if (!flags.includes("U") || path === undefined || path.startsWith("-")) return undefined;
    const problem = flags.includes("N")
      ? undefined
      : "without -N, nc never tells the host that the daemon closed its stdin: the session never ends and the daemon " +
        `waits for the child forever; write \`executableName = ${program} -N ${args.join(" ")}\``;
    return { program, socketPath: resolve(cwd, path), problem };
  }
  return undefined;
}
