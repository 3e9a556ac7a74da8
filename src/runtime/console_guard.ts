/**
 * Points every console method that writes to stdout at stderr.
 *
 * Deno and Bun print `table`, `count`, `group`, `time*` (and Bun `trace`)
 * natively to stdout, bypassing `console.log`, so each is replaced here by a
 * small stderr version; formatting is simplified, the protocol is safe.
 *
 * @module
 */

type ConsoleMethod = (...args: unknown[]) => void;

/** Redirects `console.*` output that would reach stdout to `console.error`. */
export function redirectConsoleToStderr(): void {
  const error: ConsoleMethod = console.error.bind(console);
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let indent = "";
  const print: ConsoleMethod = (...args) => indent === "" ? error(...args) : error(indent, ...args);
  const elapsed = (label: string): string => {
    const start = timers.get(label);
    return start === undefined
      ? `Timer "${label}" does not exist`
      : `${label}: ${(performance.now() - start).toFixed(3)}ms`;
  };
  const replacements: Record<string, ConsoleMethod> = {
    log: print,
    info: print,
    debug: print,
    dir: (value) => print(value),
    dirxml: print,
    table: (data) => print(data),
    trace: (...args) => print("Trace:", ...args, "\n" + (new Error().stack?.split("\n").slice(2).join("\n") ?? "")),
    count: (label = "default") => {
      const key = String(label);
      const next = (counts.get(key) ?? 0) + 1;
      counts.set(key, next);
      print(`${key}: ${next}`);
    },
    countReset: (label = "default") => void counts.delete(String(label)),
    group: (...args) => {
      if (args.length > 0) print(...args);
      indent += "  ";
    },
    groupCollapsed: (...args) => {
      if (args.length > 0) print(...args);
      indent += "  ";
    },
    groupEnd: () => void (indent = indent.slice(2)),
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...data) => print(elapsed(String(label)), ...data),
    timeEnd: (label = "default") => {
      print(elapsed(String(label)));
      timers.delete(String(label));
    },
  };
  Object.assign(console, replacements);
}
