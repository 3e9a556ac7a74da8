/**
 * The npm package's JavaScript as bundles: the pinned Bun (`bun build`) bundles
 * the entry points from the TypeScript sources, ESM for Node, with code
 * splitting (the entries share chunks, so every class exists once and
 * `instanceof` holds across entries) and linked source maps. Used by the npm
 * build (`.ci/build.ts`) and by the bench's Node children
 * (`bench/node_build.ts`), so both load the module the same way: a few files
 * instead of one per module (Node's start-up CPU and its first collections
 * grow with the modules it loads; bench/README.md).
 *
 * @module
 */

import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";

/** Where the shared chunks go, under the output folder. */
export const CHUNKS = "_chunks";

/**
 * Bundles the entry points of `root`'s `deno.json` into `outdir` (each entry
 * keeps its path: `src/local/mod.ts` -> `<outdir>/src/local/mod.js`; the
 * shared code goes to `<outdir>/_chunks/`), then {@linkcode finishBundles}.
 * `bunBuild` runs the pinned Bun with the arguments after `bun` (in `root`),
 * rejecting when it fails: each caller runs it its own way. Returns the
 * entries (source paths) and the problems found (empty when all is well).
 */
export async function bundle(
  bunBuild: (args: string[]) => Promise<unknown>,
  root: string,
  outdir: string,
): Promise<{ entries: string[]; problems: string[] }> {
  const { exports } = JSON.parse(await readFile(join(root, "deno.json"), "utf8")) as {
    exports: Record<string, string>;
  };
  const entries = Object.values(exports).map((source) => source.slice(2));
  await bunBuild(bundleArgs(entries, outdir));
  // The entries whose sources run a CLI when they are the main module.
  const mains: string[] = [];
  for (const entry of entries) {
    if ((await readFile(join(root, entry), "utf8")).includes("import.meta.main")) mains.push(jsOf(entry));
  }
  return { entries, problems: await finishBundles(resolve(root, outdir), mains) };
}

/** The bundle of a source path (`src/local/mod.ts` -> `src/local/mod.js`). */
export function jsOf(source: string): string {
  return source.replace(/\.ts$/, ".js");
}

function bundleArgs(entries: readonly string[], outdir: string): string[] {
  return [
    "build",
    ...entries.map((entry) => `./${entry}`),
    "--target=node",
    "--format=esm",
    "--splitting",
    "--sourcemap=linked",
    "--root=.",
    `--chunk-naming=${CHUNKS}/[name]-[hash].[ext]`,
    `--outdir=${outdir}`,
  ];
}

/** Every file under `dir`, as paths relative to it. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...await listFiles(dir, path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

// What `bun build --target=node` makes of `import.meta.main`: true under Node whenever the module is imported
// (`createRequire(…).main` and `.module` are both undefined), so importing `./local` would run its CLI.
const BUN_MAIN = "__require.main == __require.module";

/**
 * Finishes what `bun build` wrote under `outdir`. Puts `import.meta.main`
 * back where Bun rewrote it; `mains` are the entries (output paths,
 * `src/local/mod.js`) whose sources test it. Each must hold exactly one
 * rewrite, and no other file any: a module that tests `import.meta.main`
 * must stay an entry (in a shared chunk it would never be the main module).
 * And makes each source map's `sources` relative to the map, as the format
 * says (Bun writes them relative to `outdir`, wrong for every map below it).
 * Returns the problems (empty when all is well).
 */
async function finishBundles(outdir: string, mains: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const path of await listFiles(outdir)) {
    if (path.endsWith(".js.map")) {
      const map = JSON.parse(await readFile(join(outdir, path), "utf8")) as { sources: string[] };
      const from = dirname(join(outdir, path));
      map.sources = map.sources.map((source) => relative(from, resolve(outdir, source)));
      await writeFile(join(outdir, path), JSON.stringify(map));
      continue;
    }
    if (!path.endsWith(".js")) continue;
    const code = await readFile(join(outdir, path), "utf8");
    const count = code.split(BUN_MAIN).length - 1;
    const expected = mains.includes(path) ? 1 : 0;
    if (count !== expected) {
      problems.push(`${path}: ${count} rewritten import.meta.main (\`${BUN_MAIN}\`), expected ${expected}`);
    }
    if (/\b__require\(/.test(code)) problems.push(`${path}: calls require(), which an ESM package must not`);
    if (count > 0) await writeFile(join(outdir, path), code.replaceAll(BUN_MAIN, "import.meta.main"));
  }
  return problems;
}
