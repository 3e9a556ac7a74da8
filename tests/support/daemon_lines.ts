/**
 * The exact protocol lines of a FakeDaemon session, for tests that pin the
 * wire format itself (FakeDaemon's results describe lines; these are the lines).
 */

import type { ActionResult, FakeDaemon } from "../../src/testing/mod.ts";

/** Every line exchanged, `> ` from the daemon and `< ` from the child, never clipped. */
export function transcriptLines(daemon: FakeDaemon): string[] {
  return daemon.transcript.map(({ from, line }) => `${from === "daemon" ? ">" : "<"} ${line}`);
}

/** Plays one scenario step and adds the lines the child wrote during it, in order, status last. */
export async function withChildLines(
  daemon: FakeDaemon,
  step: (daemon: FakeDaemon) => Promise<ActionResult>,
): Promise<ActionResult & { readonly lines: string[] }> {
  const from = daemon.transcript.length;
  const result = await step(daemon);
  const lines = daemon.transcript.slice(from).filter((entry) => entry.from === "child").map((entry) => entry.line);
  return { ...result, lines };
}
