/**
 * The bench's Node children as compiled JavaScript, the form a Node user
 * runs: the npm package ships JavaScript (Node strips no types under
 * `node_modules`, and stripping `.ts` costs every start).
 *
 * The children (`bench/children/*.ts`) are compiled with the npm build's
 * options (`.ci/tsconfig.build.json`, one output file per module) into the
 * git-ignored `bench/.peers/node-js/`, always from the current sources (a
 * `dist/` left from an earlier build could be stale). Ours loads the module
 * the way the npm package ships it (`deno task build`): the package's entry
 * points are bundled by the pinned Bun (`.ci/bundle.ts`) into
 * `bench/.peers/node-js/npm/`, laid out as `dist/`, and the compiled
 * children are copied into its `bench/children/`, so ours' `../../mod.js`
 * is the bundled `mod.js` and its chunks, what a consumer of the npm package
 * loads: a few files instead of one per module. With
 * `perModule`, ours imports the one-file-per-module output instead (the npm
 * build before the bundle: `--proto DIR --proto-per-module` measures the bundle).
 *
 * @module
 */

import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "../.ci/bundle.ts";
import { runCommand } from "./tools.ts";

/** Paths of the compiled children. */
export interface NodeJs {
  readonly ours: string;
  readonly floor: string;
  readonly awsKcl: string;
}

/**
 * Compiles the children and the module to JavaScript. With `sourceRoot` (a
 * changed copy of the module, `--proto`, with its own `package.json`),
 * compiles that copy into its own `bench/.peers/node-js/`.
 */
export async function buildNodeJs(
  root: string,
  log: (line: string) => void,
  sourceRoot = root,
  perModule = false,
): Promise<NodeJs> {
  const out = join(sourceRoot, "bench/.peers/node-js");
  mkdirSync(out, { recursive: true });
  const config = join(out, "tsconfig.json");
  const children = ["ours", "floor", "aws_kcl"].map((name) => join(sourceRoot, `bench/children/${name}.ts`));
  writeFileSync(
    config,
    `${
      JSON.stringify(
        {
          extends: join(root, ".ci/tsconfig.build.json"),
          compilerOptions: {
            rootDir: sourceRoot,
            outDir: out,
            declaration: false,
            emitDeclarationOnly: false,
          },
          include: [join(sourceRoot, "mod.ts"), join(sourceRoot, "src/**/*.ts"), ...children],
        },
        null,
        2,
      )
    }\n`,
  );
  // ESM, as the package declares, without Node's syntax detection on every start (`bench/.peers` has its own package.json).
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  log(`Compiling the Node children to JavaScript with the npm build's options (${out})…`);
  await runCommand(join(root, ".ci/tools/node_modules/.bin/tsc"), ["-p", config], root);
  const child = (name: string) => join(out, `bench/children/${name}.js`);
  if (perModule) return { ours: child("ours"), floor: child("floor"), awsKcl: child("aws_kcl") };
  const bundled = join(out, "npm");
  rmSync(bundled, { recursive: true, force: true });
  log(`Bundling the module's entry points, as the npm build does (${bundled})…`);
  const bun = join(root, ".ci/tools/node_modules/.bin/bun");
  const { problems } = await bundle((args) => runCommand(bun, args, sourceRoot), sourceRoot, bundled);
  if (problems.length > 0) throw new Error(`Cannot bundle the module for Node:\n  ${problems.join("\n  ")}`);
  // The children beside the bundles, as in the package: ours' `../../mod.js` is then the bundled `dist/mod.js`.
  mkdirSync(join(bundled, "bench/children"), { recursive: true });
  for (const name of ["ours", "floor", "aws_kcl"]) {
    copyFileSync(child(name), join(bundled, `bench/children/${name}.js`));
  }
  return { ours: join(bundled, "bench/children/ours.js"), floor: child("floor"), awsKcl: child("aws_kcl") };
}
