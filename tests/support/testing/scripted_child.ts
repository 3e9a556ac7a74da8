/**
 * A child that writes exactly what a test script says, to exercise the fake
 * daemon's strictness (the library's own child never misbehaves). Usable in
 * memory (`scriptedTransport`) or as a real child process:
 *   <runtime> scripted_child.ts '<script JSON>'
 *
 * A script maps an action name to steps, run when that action arrives
 * (unlisted actions get "STATUS"); the steps of "start" run at start-up, before
 * the first action (a real child's "STDERR ready" tells the test it runs):
 *   "<line>"          write the line as is
 *   "AWAIT <line>"    write the line, then wait for the daemon's next line (the reply)
 *   "STATUS"          write the correct status for the action
 *   "STDERR <text>"   write a line to stderr
 *   "EXIT <code>"     exit now with that code
 *   "HANG"            write nothing more for this action
 */

import type { DaemonTransport } from "../../../src/testing/mod.ts";

export type Script = Record<string, string[]>;

interface Io {
  write(line: string): Promise<void>;
  stderr(line: string): void;
  exit(code: number): Promise<void>;
}

/** Plays `script` against the daemon's `lines`. */
export async function play(script: Script, lines: AsyncIterator<string>, io: Io): Promise<void> {
  for (;;) {
    const next = await lines.next();
    if (next.done) return;
    if (next.value.trim() === "") continue;
    let action: string;
    try {
      action = String(JSON.parse(next.value).action);
    } catch {
      continue;
    }
    for (const step of script[action] ?? ["STATUS"]) {
      if (step === "STATUS") await io.write(JSON.stringify({ action: "status", responseFor: action }));
      else if (step === "HANG") break;
      else if (step.startsWith("EXIT ")) return await io.exit(Number(step.slice(5)));
      else if (step.startsWith("STDERR ")) io.stderr(step.slice(7));
      else if (step.startsWith("AWAIT ")) {
        await io.write(step.slice(6));
        await lines.next();
      } else await io.write(step);
    }
  }
}

/** The script as an in-memory transport for `new FakeDaemon(...)`. */
export function scriptedTransport(script: Script, stderr: string[] = []): DaemonTransport {
  const toChild = queue();
  const fromChild = queue();
  let exitCode: number | null = null;
  let resolveExit: (code: number | null) => void = () => {};
  const exited = new Promise<number | null>((resolve) => (resolveExit = resolve));
  const finish = (code: number | null): void => {
    exitCode ??= code;
    fromChild.close();
    resolveExit(exitCode);
  };
  play(script, toChild.iterator(), {
    write: (line) => Promise.resolve(fromChild.push(line)),
    stderr: (line) => void stderr.push(line),
    exit: (code) => Promise.resolve(finish(code)),
  }).then(() => finish(0));
  return {
    write(text) {
      for (const line of text.split("\n").slice(0, -1)) toChild.push(line.replace(/\r$/, ""));
      return Promise.resolve();
    },
    lines: () => ({ [Symbol.asyncIterator]: () => fromChild.iterator() }),
    closeInput() {
      toChild.close();
      return Promise.resolve();
    },
    exited: () => exited,
    kill: () => {
      toChild.close();
      finish(null);
    },
  };
}

function queue() {
  const items: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  return {
    push(item: string) {
      items.push(item);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    iterator(): AsyncIterator<string> {
      return {
        async next(): Promise<IteratorResult<string>> {
          for (;;) {
            const item = items.shift();
            if (item !== undefined) return { value: item, done: false };
            if (closed) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
      };
    },
  };
}

if (import.meta.main) {
  const process = (await import("node:process")).default;
  const { createInterface } = await import("node:readline");
  const script = JSON.parse(process.argv[2] ?? "{}") as Script;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const io: Io = {
    write: (line) => new Promise<void>((resolve) => process.stdout.write(line + "\n", () => resolve())),
    stderr: (line) => void process.stderr.write(line + "\n"),
    exit: (code) => process.exit(code),
  };
  for (const step of script.start ?? []) {
    if (step.startsWith("STDERR ")) io.stderr(step.slice(7));
    else await io.write(step);
  }
  await play(script, lines, io);
  process.exit(0);
}
