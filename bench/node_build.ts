/**
 * The bench's Node children as compiled JavaScript, the form a Node user
 * runs (Node strips no types under `node_modules`, and stripping `.ts` costs
 * every start).
 *
 * The children (`bench/children/*.ts`) are compiled with the pinned `tsc`
 * into the git-ignored `bench/.peers/node-js/`. Our module comes from the
 * package build (`deno task build` → `dist/mod.js`) when it exists;
 * **TEMPORARY** until that build lands on main: without `dist/`, the
 * module's sources are compiled into the same folder with
 * `rewriteRelativeImportExtensions`, and the report says so.
 *
 * @module
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runCommand } from "./tools.ts";

/** Paths of the compiled children. */
export interface NodeJs {
  readonly ours: string;
  readonly floor: string;
  readonly awsKcl: string;
  /** Where our module's JavaScript came from, for the report. */
  readonly source: "dist/ (deno task build)" | "temporary tsc build of src/ (no dist/ yet)";
}

/**
 * Compiles the children (and, without `dist/`, the module) to JavaScript.
 * With `sourceRoot` (a changed copy of the module, `--proto`), compiles that
 * copy's sources and children into its own `bench/.peers/node-js/`.
 */
export async function buildNodeJs(root: string, log: (line: string) => void, sourceRoot = root): Promise<NodeJs> {
  const out = join(sourceRoot, "bench/.peers/node-js");
  const dist = join(root, "dist/mod.js");
  const fromDist = sourceRoot === root && existsSync(dist);
  mkdirSync(out, { recursive: true });
  const config = join(out, "tsconfig.json");
  writeFileSync(
    config,
    JSON.stringify(
      {
        compilerOptions: {
          target: "es2024",
          module: "esnext",
          moduleResolution: "bundler",
          lib: ["esnext", "dom", "dom.iterable", "dom.asynciterable"],
          types: ["node"],
          typeRoots: [join(root, ".ci/tools/node_modules/@types")],
          strict: true,
          skipLibCheck: true,
          noCheck: true,
          rootDir: sourceRoot,
          outDir: out,
          rewriteRelativeImportExtensions: true,
          verbatimModuleSyntax: true,
          erasableSyntaxOnly: true,
        },
        files: ["ours", "floor", "aws_kcl"].map((name) => join(sourceRoot, `bench/children/${name}.ts`)),
      },
      null,
      2,
    ),
  );
  // ESM without Node's syntax detection on every start.
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  log(`Compiling the Node children to JavaScript (${fromDist ? "module from dist/" : "TEMPORARY: module from src/"})…`);
  await runCommand(join(root, ".ci/tools/node_modules/.bin/tsc"), ["-p", config], root);
  let ours = join(out, "bench/children/ours.js");
  if (fromDist) {
    // The same child, importing the package build instead of the compiled sources.
    const text = readFileSync(ours, "utf8").replace('"../../mod.js"', JSON.stringify(pathToFileURL(dist).href));
    ours = join(out, "bench/children/ours_dist.js");
    writeFileSync(ours, text);
  }
  return {
    ours,
    floor: join(out, "bench/children/floor.js"),
    awsKcl: join(out, "bench/children/aws_kcl.js"),
    source: fromDist ? "dist/ (deno task build)" : "temporary tsc build of src/ (no dist/ yet)",
  };
}
