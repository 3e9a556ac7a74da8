/**
 * Command-line options, parsed with `parseArgs` from `node:util` (all three
 * runtimes ship it) and checked with messages the same on every runtime:
 * an unknown option names the closest known one.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { closestName } from "./closest_name.ts";

/** The options a command accepts. */
export type OptionSpecs = Readonly<Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>>;

/** A command line's options and other words. */
export interface ParsedOptions {
  /** Values of the string options given. */
  readonly strings: ReadonlyMap<string, string>;
  /** The boolean options given. */
  readonly flags: ReadonlySet<string>;
  /** The words that are not options, in order. */
  readonly positionals: readonly string[];
}

/** A mistake on the command line; its message says what and how to fix it. */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message what was wrong on the command line
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against `specs` (`--name value`, `--name=value`, short
 * forms); throws {@linkcode UsageError} for an unknown option (with the
 * closest known one), a string option without a value and a boolean option
 * with one. A string option followed by another option (`-p --check`: a word
 * that starts with `--`, or a known short option) has no value: a value that
 * starts with a dash is written inline, `--name=-value`.
 *
 * @example A typo names the option meant
 * ```ts
 * import { parseOptions, UsageError } from "./parse_options.ts";
 * import assert from "node:assert/strict";
 *
 * const specs = { shards: { type: "string" }, json: { type: "boolean" } } as const;
 * const parsed = parseOptions(["--shards", "4", "--json", "extra"], specs);
 * assert.equal(parsed.strings.get("shards"), "4");
 * assert.ok(parsed.flags.has("json"));
 * assert.deepEqual(parsed.positionals, ["extra"]);
 * assert.throws(() => parseOptions(["--shard", "4"], specs), (error) =>
 *   error instanceof UsageError && error.message === "Unknown option `--shard`; did you mean `--shards`?");
 * assert.throws(() => parseOptions(["--shards", "--json"], specs), (error) =>
 *   error instanceof UsageError && error.message.startsWith("Option --shards needs a value"));
 * ```
 */
export function parseOptions(args: readonly string[], specs: OptionSpecs): ParsedOptions {
  // Not strict: parseArgs' own errors differ between runtimes and name no close option.
  const { tokens } = parseArgs({
    args: [...args],
    options: specs,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const shorts = new Set(Object.values(specs).flatMap((spec) => spec.short === undefined ? [] : [spec.short]));
  const strings = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      const suggestion = token.rawName.startsWith("--") ? closestName(token.name, Object.keys(specs)) : undefined;
      throw new UsageError(
        `Unknown option \`${token.rawName}\`; ${
          suggestion === undefined ? "see --help" : `did you mean \`--${suggestion}\`?`
        }`,
      );
    }
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`Option --${token.name} takes no value`);
      flags.add(token.name);
    } else {
      if (token.value === undefined || token.value === "") {
        throw new UsageError(`Option --${token.name} needs a value`);
      }
      // Not strict, parseArgs takes the next word as the value whatever it is: `-p --check` is a forgotten value.
      if (token.inlineValue === false && looksLikeOption(token.value, shorts)) {
        throw new UsageError(
          `Option --${token.name} needs a value, but the option \`${token.value}\` follows it; ` +
            `give the value first, or write \`--${token.name}=${token.value}\` if the value starts with a dash`,
        );
      }
      strings.set(token.name, token.value);
    }
  }
  return { strings, flags, positionals };
}

/** Whether a word taken as an option's value is rather an option: `--anything`, or a known short option. */
function looksLikeOption(word: string, shorts: ReadonlySet<string>): boolean {
  return word.startsWith("--") || (word.length >= 2 && word.startsWith("-") && shorts.has(word.charAt(1)));
}
