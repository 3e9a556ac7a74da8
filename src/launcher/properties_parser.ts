/**
 * A parser for the Java `.properties` format, as `java.util.Properties.load`
 * reads it: the daemon sees exactly these keys and values.
 *
 * @module
 */

import { LauncherError } from "./launcher_error.ts";

/**
 * One key/value pair and where it starts in the file.
 *
 * @example Read the values the daemon sees (the last one wins)
 * ```ts
 * import { parseProperties, type PropertyEntry } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const entries: PropertyEntry[] = parseProperties("streamName = orders\nregionName = eu-west-1\nstreamName = orders-v2\n");
 * const values = new Map(entries.map((entry) => [entry.key, entry.value]));
 * assert.equal(values.get("streamName"), "orders-v2");
 * assert.equal(entries.findLast((entry) => entry.key === "streamName")?.line, 3);
 * ```
 */
export interface PropertyEntry {
  /** The key, with escapes resolved. */
  readonly key: string;
  /** The value, with escapes and continuations resolved. */
  readonly value: string;
  /** 1-based line number of the line the entry starts on. */
  readonly line: number;
}

/**
 * Parses `.properties` text into entries in file order (a repeated key
 * appears twice; Java keeps the last). Supports `#` and `!` comments, `=`,
 * `:` and whitespace separators, backslash line continuations, the escapes
 * `\t \n \r \f \\` and `\uXXXX`; any other escaped character stands for itself.
 *
 * @example Parse continuations, escapes and separators
 * ```ts
 * import { parseProperties } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * const entries = parseProperties("# comment\nstreamName : orders\nexecutableName = node \\\n    consumer.ts\nkey\\ with\\ spaces value\\u0021\n");
 * assert.deepEqual(entries, [
 *   { key: "streamName", value: "orders", line: 2 },
 *   { key: "executableName", value: "node consumer.ts", line: 3 },
 *   { key: "key with spaces", value: "value!", line: 5 },
 * ]);
 * ```
 */
export function parseProperties(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  let index = 0;
  while (index < lines.length) {
    const start = index;
    let logical = stripLeadingWhitespace(lines[index] ?? "");
    index++;
    // Blank and comment lines are never continued, even if they end in "\".
    if (logical === "" || logical.startsWith("#") || logical.startsWith("!")) {
      continue;
    }
    while (endsWithOddBackslashes(logical) && index < lines.length) {
      logical = logical.slice(0, -1) +
        stripLeadingWhitespace(lines[index] ?? "");
      index++;
    }
    // A final unmatched "\" at end of input is dropped, as Java does.
    if (endsWithOddBackslashes(logical)) logical = logical.slice(0, -1);
    entries.push(parseLogicalLine(logical, start + 1));
  }
  return entries;
}

/**
 * Decodes file bytes the way `Properties.load(InputStream)` does: as
 * ISO-8859-1, one character per byte (non-ASCII text must use `\uXXXX`).
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let text = "";
  const chunk = 8192;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    text += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return text;
}

const WHITESPACE = new Set([" ", "\t", "\f"]);

function stripLeadingWhitespace(line: string): string {
  let i = 0;
  while (i < line.length && WHITESPACE.has(line[i] ?? "")) i++;
  return line.slice(i);
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

function parseLogicalLine(logical: string, line: number): PropertyEntry {
  let keyEnd = 0;
  while (keyEnd < logical.length) {
    const char = logical[keyEnd];
    if (char === "\\") {
      keyEnd += 2;
      continue;
    }
    if (char === "=" || char === ":" || WHITESPACE.has(char ?? "")) break;
    keyEnd++;
  }
  keyEnd = Math.min(keyEnd, logical.length);
  let valueStart = keyEnd;
  while (
    valueStart < logical.length && WHITESPACE.has(logical[valueStart] ?? "")
  ) valueStart++;
  if (logical[valueStart] === "=" || logical[valueStart] === ":") {
    valueStart++;
    while (
      valueStart < logical.length && WHITESPACE.has(logical[valueStart] ?? "")
    ) valueStart++;
  }
  return {
    key: unescape(logical.slice(0, keyEnd), line),
    value: unescape(logical.slice(valueStart), line),
    line,
  };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  t: "\t",
  n: "\n",
  r: "\r",
  f: "\f",
};

function unescape(text: string, line: number): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? "";
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = text[++i] ?? "";
    if (next === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new LauncherError(
          "properties",
          `Cannot parse line ${line}: malformed \\uXXXX escape \`\\u${hex}\``,
        );
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
