/**
 * The user's side of the end-to-end test: the npm tarball packed from this checkout (`npm pack`, whose prepack is
 * `deno task build`), installed in a scratch project outside the repository, with the README's consumer and the
 * repository's batch example in it (imports by package name, as a user writes them).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A scratch project with the package installed from its tarball. */
export interface Project {
  dir: string;
  tarball: string;
}

/** The fenced README block whose first line starts with `firstLine` (exactly one must exist). */
export function readmeBlock(firstLine: string): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const found = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((block) =>
    block.split("\n")[0]!.startsWith(firstLine)
  );
  if (found.length !== 1) {
    throw new Error(
      `The README has ${found.length} blocks starting "${firstLine}", not 1`,
    );
  }
  return found[0]!;
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Packs the package and installs it in a fresh folder under `root` (default: a temporary folder), with:
 * `consumer.ts` (the README's "consumer in 20 lines") and `batch_consumer.ts` (examples/batch_consumer.ts, imports by
 * package name), and `host_consumer.ts` (the README's consumer as a shard host: {@linkcode hostConsumer}).
 * `"type": "module"` as the README says for Node's `.ts`.
 */
export function makeProject(root?: string): Project {
  const base = root ?? mkdtempSync(join(tmpdir(), "kcl-e2e-"));
  const dir = join(base, "project");
  mkdirSync(dir, { recursive: true });
  run("npm", ["pack", "--pack-destination", base, "--loglevel=error"], REPO);
  const tarball = join(
    base,
    readdirSync(base).find((name) => /^kcl-multilang-.*\.tgz$/.test(name))!,
  );
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "e2e-user", private: true, type: "module" }),
  );
  run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
  ], dir);
  writeFileSync(join(dir, "consumer.ts"), readmeBlock("// consumer.ts"));
  const batch = readFileSync(
    join(REPO, "examples", "batch_consumer.ts"),
    "utf8",
  )
    .replace(`from "../mod.ts"`, `from "@kcl/multilang"`)
    .replace(`from "../src/batch/mod.ts"`, `from "@kcl/multilang/batch"`);
  if (batch.includes("../")) {
    throw new Error(
      "examples/batch_consumer.ts imports a file this test does not rewrite",
    );
  }
  writeFileSync(join(dir, "batch_consumer.ts"), batch);
  writeFileSync(join(dir, HOST_CONSUMER), hostConsumer(readmeBlock("// consumer.ts")));
  copyFileSync(join(REPO, "e2e", "faulty_consumer.mjs"), join(dir, "faulty_consumer.mjs"));
  return { dir, tarball };
}

/** The permissions each program of the project needs on Deno: the batch sink writes files, scenario g reads FAULT. */
const DENO_FLAGS: [prefix: string, flags: string][] = [
  ["batch", "--allow-read --allow-write --allow-env "],
  ["faulty", "--allow-env=FAULT "],
];

/** The executableName that runs `file` of the project on `runtime` (the README's executableName table). */
export function executableFor(runtime: string, file: string): string {
  switch (runtime) {
    case "node":
      return `node ${file}`;
    case "bun":
      return `bun ${file}`;
    case "deno":
      return `deno run ${DENO_FLAGS.find(([prefix]) => file.startsWith(prefix))?.[1] ?? ""}${file}`;
    default:
      throw new Error(`Unknown runtime ${runtime}: node, deno or bun`);
  }
}

/** The shard host program of the scratch project: the README's consumer served by `@kcl/multilang/host`. */
export const HOST_CONSUMER = "host_consumer.ts";

/**
 * The README's consumer as a shard host: the same processor, one per shard's session (`serveShards(() => ({...}))`
 * instead of `run({...})`), listening on the socket path given as its first argument.
 */
export function hostConsumer(readme: string): string {
  const swaps: [string | RegExp, string][] = [
    ["// consumer.ts\n", "// host_consumer.ts: the README's consumer as a shard host (written by e2e/project.ts)\n"],
    [
      `import { run } from "@kcl/multilang";`,
      `import process from "node:process";\nimport { serveShards } from "@kcl/multilang/host";`,
    ],
    ["await run({", "await serveShards(() => ({"],
    [/\n\}\);\n$/, "\n}), { path: process.argv[2]! });\n"],
  ];
  let text = readme;
  for (const [from, to] of swaps) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`The README's consumer changed: cannot make it a shard host (${from})`);
    text = next;
  }
  return text;
}

/** The command that runs the project's shard host on `runtime`, listening on `socket` (the README's --host line). */
export function hostCommandFor(runtime: string, socket: string): string {
  switch (runtime) {
    case "node":
      return `node ${HOST_CONSUMER} ${socket}`;
    case "bun":
      return `bun ${HOST_CONSUMER} ${socket}`;
    case "deno":
      return `deno run --allow-read --allow-write --allow-env --allow-net ${HOST_CONSUMER} ${socket}`;
    default:
      throw new Error(`Unknown runtime ${runtime}: node, deno or bun`);
  }
}
