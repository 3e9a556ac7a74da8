/**
 * Reads the README's runnable parts for the package test, so that the test
 * runs the README as written (a README edit that breaks a command fails CI).
 * `docs/install.md` (the install routes the README links: JSR, only Node and
 * npm) is read with it, as if it were part of the README:
 *
 *     deno run --allow-read readme.ts block "<first line>"   # the fenced block whose first line is that
 *     deno run --allow-read readme.ts block-with "<text>"     # the fenced block that contains that text
 *     deno run --allow-read readme.ts line-with "<text>"      # the line of a code block that contains that text
 *     deno run --allow-read readme.ts executable-names        # the executableName table: "command<TAB>build step"
 *
 * Exits 1 when the README has no such block (or line), or more than one.
 *
 * @module
 */

const readme = (await Promise.all(
  ["../../README.md", "../../docs/install.md"].map((file) => Deno.readTextFile(new URL(file, import.meta.url))),
)).join("\n");

function blocks(): string[] {
  const found: string[] = [];
  const fence = /^```[a-z]*\n([\s\S]*?)^```$/gm;
  for (const match of readme.matchAll(fence)) found.push(match[1]!);
  return found;
}

function only(matches: string[], what: string): string {
  if (matches.length !== 1) {
    console.error(`The README has ${matches.length} ${what}; the package test needs exactly one.`);
    Deno.exit(1);
  }
  return matches[0]!;
}

/** Rows of the table whose header names `executableName`: the command and the build step it needs, if any. */
function executableNames(): string[] {
  const lines = readme.split("\n");
  const header = lines.findIndex((line) => /^\|[^|]*\|\s*`executableName`\s*\|/.test(line));
  if (header === -1) {
    console.error("The README has no executableName table (a header row | runtime | `executableName` | … |).");
    Deno.exit(1);
  }
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const command = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
    if (command === undefined) {
      console.error(`Cannot read the executableName row: ${line}`);
      Deno.exit(1);
    }
    const step = /after `([^`]+)`/.exec(cells[2] ?? "")?.[1] ?? "";
    rows.push(`${command}\t${step}`);
  }
  return rows;
}

const [command, argument = ""] = Deno.args;
if (command === "block") {
  console.log(
    only(blocks().filter((block) => block.split("\n")[0] === argument), `code blocks starting with "${argument}"`),
  );
} else if (command === "block-with") {
  console.log(only(blocks().filter((block) => block.includes(argument)), `code blocks containing "${argument}"`));
} else if (command === "line-with") {
  const lines = blocks().flatMap((block) => block.split("\n")).filter((line) => line.includes(argument));
  console.log(only(lines, `lines containing "${argument}"`));
} else if (command === "executable-names") {
  console.log(executableNames().join("\n"));
} else {
  console.error("Usage: readme.ts block <first line> | block-with <text> | line-with <text> | executable-names");
  Deno.exit(2);
}
