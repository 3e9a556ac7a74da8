/**
 * The bench's Node children as compiled JavaScript, the form a Node user
 * runs: the npm package ships JavaScript (Node strips no types under
 * `node_modules`, and stripping `.ts` costs every start).
 *
 * The children (`bench/children/*.ts`) and the module they import are
 * compiled with the npm build's options (`.ci/tsconfig.build.json`, what
 * `deno task build` uses for `dist/`: one output file per module, the same
 * bytes as the package's) into the git-ignored `bench/.peers/node-js/`,
 * always from the current sources (a `dist/` left from an earlier build
 * could be stale).
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "./tools.ts";

/** Paths of the compiled children. */
export interface NodeJs {
  readonly ours: string;
  /**
   * `ours` and the module bundled into one file (`bun build --target=node`): one module to load instead of 33, which
   * spares V8 the start-up scavenges that lower its first heap limit (bench/README.md, "Node per MiB in W5").
   */
  readonly oursBundle: string;
  readonly floor: string;
  readonly awsKcl: string;
}

/**
 * Compiles the children and the module to JavaScript. With `sourceRoot` (a
 * changed copy of the module, `--proto`, with its own `package.json`),
 * compiles that copy into its own `bench/.peers/node-js/`.
 */
export async function buildNodeJs(root: string, log: (line: string) => void, sourceRoot = root): Promise<NodeJs> {
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
            sourceMap: false,
            inlineSources: false,
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
  // Beside the compiled files: `bench/.peers/node-js/package.json` makes it ESM too.
  const oursBundle = join(out, "bundle/ours.js");
  await runCommand(
    join(root, ".ci/tools/node_modules/.bin/bun"),
    ["build", "--target=node", "--format=esm", child("ours"), "--outfile", oursBundle],
    root,
  );
  return { ours: child("ours"), oursBundle, floor: child("floor"), awsKcl: child("aws_kcl") };
}
