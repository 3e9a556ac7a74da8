/**
 * The end of the child: waiting for its exit within the daemon's patience,
 * and saying how it ended when it stopped answering.
 *
 * @module
 */

import type { DaemonTransport } from "./transport.ts";

/** How long a child that closed its stdout gets to exit before it is described as still running. */
const EXIT_GRACE_MS = 5000;

/** The exit code (`null`: a signal), or `"timeout"` when the child is still running after `timeoutMs`. */
export async function exitWithin(transport: DaemonTransport, timeoutMs: number): Promise<number | null | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    return await Promise.race([transport.exited(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How the child ended, for a message ("exited with code 1"); rejects when it
 * could not even start.
 */
export async function describeExit(transport: DaemonTransport): Promise<string> {
  const code = await exitWithin(transport, EXIT_GRACE_MS);
  return code === "timeout"
    ? "is still running"
    : code === null
    ? "was killed by a signal"
    : `exited with code ${code}`;
}
