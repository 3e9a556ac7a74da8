/**
 * Points every console method that writes to stdout at a stderr printer.
 *
 * Deno and Bun print `table`, `count`, `group`, `time*` (and Bun `trace`)
 * natively to stdout, bypassing `console.log`, so each is replaced here by a
 * small version printing through `print`; formatting is simplified, the
 * protocol is safe. (Node's console writes through `process.stdout.write`,
 * which its guard redirects.)
 *
 * @module
 */

import { formatArgs } from "./_format_args.ts";

type ConsoleMethod = (...args: unknown[]) => void;

/**
 * Redirects every `console.*` method that would write to stdout, and
 * `console.error`, `warn` and `assert` (the runtime's own would block on a
 * full stderr pipe), to `print`, one formatted line at a time (`\n` included).
 */
export function redirectConsole(print: (line: string) => void, inspect: (value: unknown) => string): void {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let indent = "";
  const write: ConsoleMethod = (...args) => {
    const text = formatArgs(args, inspect);
    print((indent === "" ? text : indent + text.replaceAll("\n", "\n" + indent)) + "\n");
  };
  const elapsed = (label: string): string => {
    const start = timers.get(label);
    return start === undefined
      ? `Timer "${label}" does not exist`
      : `${label}: ${(performance.now() - start).toFixed(3)}ms`;
  };
  const group: ConsoleMethod = (...args) => {
    if (args.length > 0) write(...args);
    indent += "  ";
  };
  const replacements: Record<string, ConsoleMethod> = {
    log: write,
    info: write,
    debug: write,
    dir: (value) => write(value),
    dirxml: write,
    table: (data) => write(data),
    trace: (...args) => write("Trace:", ...args, "\n" + (new Error().stack?.split("\n").slice(2).join("\n") ?? "")),
    count: (label = "default") => {
      const key = String(label);
      const next = (counts.get(key) ?? 0) + 1;
      counts.set(key, next);
      write(`${key}: ${next}`);
    },
    countReset: (label = "default") => void counts.delete(String(label)),
    group,
    groupCollapsed: group,
    groupEnd: () => void (indent = indent.slice(2)),
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...data) => write(elapsed(String(label)), ...data),
    timeEnd: (label = "default") => {
      write(elapsed(String(label)));
      timers.delete(String(label));
    },
    error: write,
    warn: write,
    assert: (condition, ...data) => {
      if (!condition) write("Assertion failed" + (data.length > 0 ? ":" : ""), ...data);
    },
  };
  Object.assign(console, replacements);
}
