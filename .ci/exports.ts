/**
 * Checks that every entry point of `deno.json` exports exactly the names
 * committed in `.ci/exports.json`, so the public surface grows only on
 * purpose. `--update` rewrites the list (then record the change in
 * CHANGELOG.md).
 *
 *     deno run --allow-read --allow-write --allow-run .ci/exports.ts [--update]
 */

const root = new URL("../", import.meta.url);
const listFile = new URL(".ci/exports.json", root);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as { exports: Record<string, string> };

async function exportedNames(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: root,
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Cannot list the exports of ${entry}: deno doc failed`);
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { symbols?: { name: string }[] }>;
  };
  const names = Object.values(doc.nodes).flatMap((node) => (node.symbols ?? []).map((symbol) => symbol.name));
  return [...new Set(names)].filter((name) => name !== "default").sort();
}

const actual: Record<string, string[]> = {};
for (const [entry, file] of Object.entries(config.exports)) actual[entry] = await exportedNames(file);

if (Deno.args.includes("--update")) {
  await Deno.writeTextFile(listFile, JSON.stringify(actual, null, 2) + "\n");
  console.log(`Wrote ${listFile.pathname}: record the change in CHANGELOG.md`);
  Deno.exit(0);
}

let committed: Record<string, string[]> = {};
try {
  committed = JSON.parse(await Deno.readTextFile(listFile));
} catch (error) {
  console.error(`Cannot read ${listFile.pathname}: ${(error as Error).message}`);
}
const problems: string[] = [];
for (const entry of new Set([...Object.keys(actual), ...Object.keys(committed)])) {
  const now = new Set(actual[entry] ?? []);
  const listed = new Set(committed[entry] ?? []);
  const added = [...now].filter((name) => !listed.has(name));
  const removed = [...listed].filter((name) => !now.has(name));
  if (added.length > 0) problems.push(`${entry}: exported but not in the list: ${added.join(", ")}`);
  if (removed.length > 0) problems.push(`${entry}: listed but no longer exported: ${removed.join(", ")}`);
}
if (problems.length > 0) {
  console.error("The public surface differs from .ci/exports.json:\n  " + problems.join("\n  "));
  console.error("If the change is on purpose: deno task exports --update, and record it in CHANGELOG.md.");
  Deno.exit(1);
}
console.log(`Exports match .ci/exports.json (${Object.keys(actual).length} entry points)`);
