/**
 * A small leveled logger: one line per event, `logfmt`-style fields. The
 * session logs through a {@linkcode LogFunction}; `run()` points it at stderr,
 * the daemon's only log channel (it logs each line at ERROR).
 *
 * @module
 */

/**
 * Severity of a log event.
 *
 * @example Log warnings and errors only
 * ```ts
 * import { createLogger, type LogLevel } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const level: LogLevel = "warn";
 * const lines: string[] = [];
 * const log = createLogger((line) => lines.push(line), { level });
 * log("info", "not written");
 * log("error", "written");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0] ?? "", / ERROR kcl: written\n$/);
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Extra structured context for a log line.
 *
 * @example Structured context
 * ```ts
 * import { createLogger, type LogFields } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const fields: LogFields = { shardId: "shardId-1", records: 500, note: "two words" };
 * createLogger((line) => lines.push(line), { now: () => new Date(0) })("info", "Flushed", fields);
 * assert.equal(lines[0], '1970-01-01T00:00:00.000Z INFO kcl: Flushed shardId=shardId-1 records=500 note="two words"\n');
 * ```
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the session's log events go.
 *
 * @example Send session logs to your own logger
 * ```ts
 * import { KclProcess, type LogFunction } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const events: string[] = [];
 * const log: LogFunction = (level, message) => void events.push(`${level}: ${message}`);
 * await new KclProcess({ processRecords() {} }, {
 *   input: new ReadableStream({ start: (controller) => controller.close() }),
 *   output: new WritableStream(),
 *   log,
 * }).run();
 * assert.deepEqual(events, ["info: Input ended"]);
 * ```
 */
export type LogFunction = (level: LogLevel, message: string, fields?: LogFields) => void;

const RANK: Record<LogLevel | "silent", number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * Options of {@linkcode createLogger}.
 *
 * @example Name the source
 * ```ts
 * import { createLogger, type LoggerOptions } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const options: LoggerOptions = { level: "debug", name: "orders", now: () => new Date(0) };
 * const lines: string[] = [];
 * createLogger((line) => lines.push(line), options)("debug", "ready");
 * assert.equal(lines[0], "1970-01-01T00:00:00.000Z DEBUG orders: ready\n");
 * ```
 */
export interface LoggerOptions {
  /** The least severe level written; `silent` writes nothing. @default {"info"} */
  readonly level?: LogLevel | "silent";
  /** A prefix naming the source. @default {"kcl"} */
  readonly name?: string;
  /** The clock, for tests. */
  readonly now?: () => Date;
}

/**
 * A {@linkcode LogFunction} that formats one line per event and hands it to `write`.
 *
 * @example Log to an array
 * ```ts
 * import { createLogger } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = createLogger((line) => lines.push(line), { level: "info", now: () => new Date(0) });
 * log("debug", "not written");
 * log("warn", "Checkpoint throttled", { shardId: "shardId-1", attempt: 2 });
 * assert.deepEqual(lines, ['1970-01-01T00:00:00.000Z WARN kcl: Checkpoint throttled shardId=shardId-1 attempt=2\n']);
 * ```
 *
 * @example Errors print as their real stack, under the line
 * ```ts
 * import { createLogger } from "@kcl/multilang";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const error = new Error("boom", { cause: new Error("disk full") });
 * createLogger((line) => lines.push(line), { now: () => new Date(0) })("error", "Flush failed", { error });
 * const [first, ...stack] = lines[0]!.trimEnd().split("\n");
 * assert.equal(first, "1970-01-01T00:00:00.000Z ERROR kcl: Flush failed");
 * assert.match(stack[0] ?? "", /^    error: Error: boom$/);
 * assert.ok(stack.some((line) => /^    caused by: Error: disk full$/.test(line)));
 * ```
 */
export function createLogger(write: (line: string) => void, options: LoggerOptions = {}): LogFunction {
  const threshold = RANK[options.level ?? "info"];
  if (threshold === undefined) throw new RangeError(`Cannot create logger: unknown level ${options.level}`);
  const name = options.name ?? "kcl";
  const now = options.now ?? (() => new Date());
  return (level, message, fields) => {
    if (RANK[level] < threshold) return;
    let line = `${now().toISOString()} ${level.toUpperCase()} ${name}: ${oneLine(message)}`;
    let stacks = "";
    if (fields !== undefined) {
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        // An error is printed after the line, as its real multi-line stack.
        if (value instanceof Error) stacks += describeStack(key, value);
        else line += ` ${key}=${formatValue(value)}`;
      }
    }
    write(line + "\n" + stacks);
  };
}

/** Whether `value` names a log level (for options read from the environment). */
export function isLogLevel(value: unknown): value is LogLevel | "silent" {
  return typeof value === "string" && value in RANK;
}

/** `error`'s stack (and its causes'), each line indented under the log line. */
function describeStack(key: string, error: Error): string {
  let text = "";
  let label = `${key}: `;
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const stack = current instanceof Error ? current.stack ?? `${current.name}: ${current.message}` : String(current);
    for (const stackLine of stack.split("\n")) {
      text += `    ${label}${stackLine.trimEnd()}\n`;
      label = "";
    }
    current = current instanceof Error ? current.cause : undefined;
    label = "caused by: ";
  }
  return text;
}

function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

function oneLine(text: string): string {
  return text.includes("\n") ? text.replaceAll("\r", "\\r").replaceAll("\n", "\\n") : text;
}
