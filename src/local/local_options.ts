/**
 * The local daemon's command line.
 *
 * @module
 */

/**
 * How each shard's life ends.
 *
 * @example Every `--end`
 * ```ts
 * import { parseLocalArgs, type ShardEnd } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * const ends: ShardEnd[] = ["shard-end", "lease-lost", "shutdown"];
 * for (const end of ends) assert.equal(parseLocalArgs(["--end", end, "--", "node", "consumer.ts"]).end, end);
 * assert.equal(parseLocalArgs(["--", "node", "consumer.ts"]).end, "shard-end");
 * ```
 */
export type ShardEnd = "shard-end" | "lease-lost" | "shutdown";

/**
 * The parsed command line of the local daemon.
 *
 * @example Options and their defaults
 * ```ts
 * import { type LocalOptions, parseLocalArgs } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * const options: LocalOptions = parseLocalArgs([
 *   "--shards=3",
 *   "--fail-checkpoints",
 *   "ThrottlingException:2",
 *   "--json",
 *   "--",
 *   "bun",
 *   "consumer.ts",
 * ]);
 * assert.equal(options.shards, 3);
 * assert.deepEqual(options.failCheckpoints, { error: "ThrottlingException", count: 2 });
 * assert.equal(options.json, true);
 * assert.equal(options.records, 1000);
 * assert.equal(options.checkpoints, undefined);
 * assert.deepEqual(options.command, ["bun", "consumer.ts"]);
 * ```
 */
export interface LocalOptions {
  /** `--shards`: number of shards (one child each). */
  readonly shards: number;
  /** `--records`: generated records per shard (ignored with `--input`). */
  readonly records: number;
  /** `--input`: NDJSON records file. */
  readonly input: string | undefined;
  /** `--batch`: records per `processRecords`. */
  readonly batch: number;
  /** `--end`: how each shard's life ends. */
  readonly end: ShardEnd;
  /** `--checkpoints`: JSON file the checkpoints persist to and resume from. */
  readonly checkpoints: string | undefined;
  /** `--fail-checkpoints NAME:N`: the first N checkpoints of each shard fail with NAME. */
  readonly failCheckpoints: { readonly error: string; readonly count: number } | undefined;
  /** `--timeout-ms`: how long a child may stay silent during an action, or take to exit. */
  readonly timeoutMs: number;
  /** `--json`: summary as JSON on stdout. */
  readonly json: boolean;
  /** `--quiet`: do not forward the children's stderr. */
  readonly quiet: boolean;
  /** `--help`. */
  readonly help: boolean;
  /** The child command (after `--`). */
  readonly command: readonly string[];
}

/**
 * A command-line mistake (exit code 2).
 *
 * @example Reject an out-of-range option
 * ```ts
 * import { parseLocalArgs, UsageError } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => parseLocalArgs(["--shards", "0", "--", "deno", "run", "consumer.ts"]),
 *   (error) => error instanceof UsageError && error.message.includes("--shards"),
 * );
 * assert.throws(() => parseLocalArgs(["--shards", "2"]), UsageError);
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates a usage error.
   *
   * @param message what is wrong and how to fix it
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const VALUE_OPTIONS = ["shards", "records", "input", "batch", "end", "checkpoints", "fail-checkpoints", "timeout-ms"];
const FLAG_OPTIONS = ["json", "quiet", "help"];
const ENDS: readonly ShardEnd[] = ["shard-end", "lease-lost", "shutdown"];

/**
 * Parses `[options] -- <child command...>`; throws {@linkcode UsageError}.
 *
 * @example Parse the demo's command line
 * ```ts
 * import { parseLocalArgs } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * const options = parseLocalArgs(["--shards", "4", "--records=5000", "--", "deno", "run", "consumer.ts"]);
 * assert.equal(options.shards, 4);
 * assert.equal(options.batch, 500);
 * assert.deepEqual(options.command, ["deno", "run", "consumer.ts"]);
 * ```
 */
export function parseLocalArgs(args: readonly string[]): LocalOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const separator = args.indexOf("--");
  const own = separator === -1 ? args : args.slice(0, separator);
  const command = separator === -1 ? [] : args.slice(separator + 1);
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] ?? "";
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg === "-h" ? "--help" : arg);
    const name = match?.[1];
    if (match === null || name === undefined) {
      throw new UsageError(`Unknown argument \`${arg}\`; put the child command after \`--\` (see --help)`);
    }
    if (FLAG_OPTIONS.includes(name)) {
      if (match[2] !== undefined) throw new UsageError(`Option --${name} takes no value`);
      flags.add(name);
    } else if (VALUE_OPTIONS.includes(name)) {
      const value = match[2] ?? own[++i];
      if (value === undefined || value === "") throw new UsageError(`Option --${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`Unknown option \`--${name}\`; see --help`);
    }
  }
  const help = flags.has("help");
  if (command.length === 0 && !help) {
    throw new UsageError("A child command is required after `--`, e.g. `-- deno run consumer.ts`; see --help");
  }
  const end = values.get("end") ?? "shard-end";
  if (!(ENDS as readonly string[]).includes(end)) {
    throw new UsageError(`Option --end must be one of ${ENDS.join(", ")}, got \`${end}\``);
  }
  return {
    shards: integer(values, "shards", 2, 1, 1000),
    records: integer(values, "records", 1000, 0, 100_000_000),
    input: values.get("input"),
    batch: integer(values, "batch", 500, 1, 10_000),
    end: end as ShardEnd,
    checkpoints: values.get("checkpoints"),
    failCheckpoints: failCheckpoints(values.get("fail-checkpoints")),
    timeoutMs: integer(values, "timeout-ms", 30_000, 1, 24 * 3600_000),
    json: flags.has("json"),
    quiet: flags.has("quiet"),
    help,
    command,
  };
}

function integer(values: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const text = values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max) {
    throw new UsageError(`Option --${name} needs a whole number from ${min} to ${max}, got \`${text}\``);
  }
  return value;
}

function failCheckpoints(text: string | undefined): LocalOptions["failCheckpoints"] {
  if (text === undefined) return undefined;
  const match = /^([A-Za-z_$][\w$]*):([0-9]+)$/.exec(text);
  if (match === null) {
    throw new UsageError(
      `Option --fail-checkpoints needs NAME:N (an exception name and a count), e.g. ThrottlingException:2, got \`${text}\``,
    );
  }
  return { error: match[1] as string, count: Number(match[2]) };
}

/**
 * The help text.
 *
 * @example Show the usage line
 * ```ts
 * import { localHelp } from "@kcl/multilang/local";
 * import assert from "node:assert/strict";
 *
 * assert.match(localHelp(), /^Usage: /);
 * ```
 */
export function localHelp(): string {
  return `Usage: local [options] -- <child command...>

Runs a KCL MultiLangDaemon consumer locally, without Java, AWS or DynamoDB:
one child per shard, concurrently, exactly as the real daemon drives them
(initialize, processRecords..., then the shard's end), checking every line.

  deno run -A jsr:@kcl/multilang/local --shards 4 -- deno run consumer.ts
  bunx --bun kcl-local --shards 4 -- bun consumer.ts     (npm package)
  npx kcl-local --shards 4 -- node consumer.mjs          (npm package)

The child command is run without a shell, like the daemon's executableName.
A child program named deno, bun or node that is the runtime running this
command and is not on PATH (e.g. installed through npx) runs as this
runtime's own executable.

Options:
  --shards <n>                 shards, one child each (default 2)
  --records <n>                generated JSON events per shard (default 1000)
  --input <file>               NDJSON records instead, one per line: {"partitionKey": "...",
                               "data": "text"} or {"partitionKey": "...", "dataBase64": "..."};
                               spread over shards by the MD5 of the partition key, as Kinesis does
  --batch <n>                  records per processRecords, 1-10000 (default 500)
  --end <how>                  how each shard's life ends: shard-end (default), lease-lost,
                               shutdown (shutdownRequested, then leaseLost)
  --checkpoints <file>         persist checkpoints as JSON; a later run resumes after them
  --fail-checkpoints <NAME:N>  answer the first N checkpoints of each shard with the exception NAME
                               (e.g. ThrottlingException:2)
  --timeout-ms <ms>            how long a child may stay silent during an action, or take to
                               exit after its stdin closes (default 30000)
  --json                       print the summary as JSON on stdout
  --quiet                      do not forward the children's stderr
  -h, --help                   show this help

Progress and the summary go to stderr (a live line on a terminal).
Exit code: 0 when every shard ended as requested, every delivered record is
covered by a checkpoint and no child broke the protocol; 1 otherwise (the
reasons are printed); 2 for a usage error.
`;
}
