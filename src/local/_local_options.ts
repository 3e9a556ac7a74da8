/**
 * The local daemon's command line: `[options] -- <child command...>`.
 *
 * @module
 */

import { parseOptions, UsageError } from "../cli/parse_options.ts";

export { UsageError };

/** How each shard's life ends. */
export type ShardEnd = "shard-end" | "lease-lost" | "shutdown";

/** The parsed command line. */
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

const OPTIONS = {
  shards: { type: "string" },
  records: { type: "string" },
  input: { type: "string" },
  batch: { type: "string" },
  end: { type: "string" },
  checkpoints: { type: "string" },
  "fail-checkpoints": { type: "string" },
  "timeout-ms": { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type OptionName = keyof typeof OPTIONS;

const ENDS: readonly ShardEnd[] = ["shard-end", "lease-lost", "shutdown"];

/**
 * Parses `[options] -- <child command...>`; throws {@linkcode UsageError}.
 * Without `--`, arguments that start with a non-option are the child command:
 * Bun drops a `--` that directly follows the script's name.
 */
export function parseLocalArgs(args: readonly string[]): LocalOptions {
  // Split at the first `--` first: a value option in front of it must not take `--` as its value.
  const separator = args.indexOf("--");
  const leadingCommand = separator === -1 && args[0] !== undefined && !args[0].startsWith("-");
  const own = separator !== -1 ? args.slice(0, separator) : leadingCommand ? [] : [...args];
  const command = separator !== -1 ? args.slice(separator + 1) : leadingCommand ? [...args] : [];
  const parsed = parseOptions(own, OPTIONS);
  const [stray] = parsed.positionals;
  if (stray !== undefined) {
    throw new UsageError(
      `Unknown argument \`${stray}\`; put the child command after \`--\`, e.g. \`-- deno run consumer.ts\` (see --help)`,
    );
  }
  const values = parsed.strings as ReadonlyMap<OptionName, string>;
  const flags = parsed.flags as ReadonlySet<OptionName>;
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

function integer(
  values: ReadonlyMap<OptionName, string>,
  name: OptionName,
  fallback: number,
  min: number,
  max: number,
): number {
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

/** The help text (printed on stdout by `--help`). */
export function localHelp(): string {
  return `Usage: kcl-local [options] -- <child command...>

Runs a KCL MultiLangDaemon consumer locally, without Java, AWS or DynamoDB:
one child per shard, concurrently, exactly as the real daemon drives them
(initialize, processRecords..., then the shard's end), checking every line.

  npx kcl-local --shards 4 -- node consumer.mjs          (npm package)
  bunx --bun kcl-local --shards 4 -- bun consumer.ts     (npm package)
  deno run --allow-run --allow-read --allow-env npm:@kcl/multilang/local --shards 4 -- deno run consumer.ts
  (jsr:@kcl/multilang/local in place of npm:@kcl/multilang/local from JSR)

The child command is run without a shell, like the daemon's executableName.
Without options, the \`--\` may be left out (Bun drops a \`--\` that directly
follows the script's name).
A child program named deno, bun or node that is the runtime running this
command and is not on PATH (e.g. installed through npx) runs as this
runtime's own executable.

Options:
  --shards <n>                 shards, one child each (default 2)
  --records <n>                generated JSON events per shard (default 1000)
  --input <file>               NDJSON records instead, one per line: {"partitionKey": "...",
                               "data": "text"} or {"partitionKey": "...", "dataBase64": "..."}
                               (standard base64); a "data" that is not a string is sent as its
                               JSON text; spread over shards by the MD5 of the partition key,
                               as Kinesis does
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

Progress, the children's stderr (each line after its shard's id) and the
summary go to stderr (progress is a live line on a terminal).
Ctrl+C (SIGINT) or SIGTERM stops each shard after its current batch, then
prints the summary and writes the checkpoints; a second one quits at once.
Exit code: 0 when every shard ended as requested, every delivered record is
covered by a checkpoint and no child broke the protocol; 1 otherwise (the
reasons are printed); 2 for a usage error (an option, an --input file that
cannot be read or holds no records, a --checkpoints file that cannot be
read), a child command that does not exist or, on Deno, a missing
permission flag.
`;
}
