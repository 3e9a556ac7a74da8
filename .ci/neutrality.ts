/**
 * Proves the runtime-free folders runtime-free, twice over:
 *
 * 1. they must type-check with only the Web platform's types
 *    (`.ci/tsconfig.web.json`);
 * 2. a cast hides a reach from the type check (`(globalThis as any).process`),
 *    so `deno lint` with `.ci/neutrality_lint.ts` refuses any reach for the
 *    global object or a runtime object's name in the same files.
 *
 * Each must fail on planted reaches (`process.exit(1)`; `globalThis.process`
 * in every form a cast allows), so that neither can pass by checking nothing.
 *
 *     deno run --allow-read --allow-write --allow-run --allow-env .ci/neutrality.ts
 */

const root = new URL("../", import.meta.url).pathname;
const tsc = `${root}.ci/tools/node_modules/.bin/tsc`;
const decoder = new TextDecoder();

/** The runtime-free files: what `.ci/tsconfig.web.json` includes, less what it excludes. */
async function runtimeFreeFiles(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${root}.ci/tsconfig.web.json`)) as {
    include: string[];
    exclude: string[];
  };
  const excluded = new Set(config.exclude.map((path) => new URL(path, `file://${root}.ci/`).pathname));
  const files: string[] = [];
  for (const pattern of config.include) {
    const dir = new URL(pattern.replace(/\/\*\*\/\*\.ts$/, "/"), `file://${root}.ci/`).pathname;
    for await (const path of walk(dir)) if (!excluded.has(path)) files.push(path);
  }
  return files.sort();
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) yield* walk(`${path}/`);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

async function typeCheck(project: string): Promise<{ ok: boolean; output: string }> {
  const result = await new Deno.Command(tsc, { args: ["-p", project], cwd: root }).output();
  return { ok: result.success, output: decoder.decode(result.stdout) + decoder.decode(result.stderr) };
}

interface Finding {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** Lints `files` with the neutrality plugin only; returns what it found. */
async function lintReaches(files: string[], scratch: string): Promise<Finding[]> {
  const config = `${scratch}/neutrality.lint.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      lint: {
        plugins: [`${root}.ci/neutrality_lint.ts`],
        rules: { tags: [], include: ["neutrality/no-global-object", "neutrality/no-runtime-name"] },
      },
    }),
  );
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["lint", "--json", "--config", config, ...files],
    cwd: root,
  }).output();
  const report = JSON.parse(decoder.decode(result.stdout)) as {
    diagnostics: { filename: string; range: { start: { line: number } }; code: string; message: string }[];
    errors: { file_path: string; message: string }[];
  };
  if (report.errors.length > 0) throw new Error(`Cannot lint for neutrality: ${JSON.stringify(report.errors)}`);
  return report.diagnostics.map((d) => ({
    file: new URL(d.filename).pathname.replace(root, ""),
    line: d.range.start.line,
    code: d.code,
    message: d.message,
  }));
}

const failures: string[] = [];
const real = await typeCheck(`${root}.ci/tsconfig.web.json`);
if (!real.ok) failures.push("Runtime-free code names a runtime (only src/runtime/ may):\n" + real.output);

const scratch = await Deno.makeTempDir({ prefix: "kcl-neutrality-" });
try {
  const files = await runtimeFreeFiles();
  const found = await lintReaches(files, scratch);
  if (found.length > 0) {
    failures.push(
      "Runtime-free code reaches past the type check (only src/runtime/ may touch a runtime):\n" +
        found.map((f) => `  ${f.file}:${f.line}: ${f.message} (${f.code})`).join("\n"),
    );
  }

  const source = await Deno.readTextFile(`${root}src/session/sequence.ts`);
  // The type check's own canary.
  await Deno.writeTextFile(`${scratch}/sequence.ts`, source + "\nprocess.exit(1);\n");
  await Deno.writeTextFile(
    `${scratch}/tsconfig.json`,
    JSON.stringify({ extends: `${root}.ci/tsconfig.web.json`, include: [`${scratch}/sequence.ts`] }),
  );
  const canary = await typeCheck(`${scratch}/tsconfig.json`);
  if (canary.ok || !/Cannot find name 'process'/.test(canary.output)) {
    failures.push("The neutrality type check passed a planted process.exit(1): it checks nothing.\n" + canary.output);
  }

  // The lint's canaries: every form of reach a cast lets through the type check, one file each.
  const plants = [
    "globalThis.process.pid;",
    "(globalThis as any).process.pid;",
    '(globalThis as any)["process"].pid;',
    "(globalThis as unknown as { Buffer: { from(s: string): Uint8Array } }).Buffer.from('');",
    "const { Deno: deno } = globalThis as unknown as { Deno: { pid: number } }; deno.pid;",
    'Reflect.get(globalThis, "Bun");',
    "(self as any).require('node:fs');",
    'const g = Function("return this")() as Record<string, unknown>; g["process"];',
  ];
  const planted: string[] = [];
  for (const [i, plant] of plants.entries()) {
    const path = `${scratch}/plant_${i}.ts`;
    await Deno.writeTextFile(path, `${source}\n${plant}\n`);
    planted.push(path);
  }
  const caught = await lintReaches(planted, scratch);
  plants.forEach((plant, i) => {
    if (!caught.some((f) => f.file.endsWith(`/plant_${i}.ts`))) {
      failures.push(`The neutrality lint passed a planted reach: it checks nothing.\n  ${plant}`);
    }
  });
} finally {
  await Deno.remove(scratch, { recursive: true });
}
if (failures.length > 0) {
  console.error(failures.join("\n\n"));
  Deno.exit(1);
}
console.log(
  "Runtime-free folders use only Web platform types and reach no runtime object (planted reaches are caught)",
);
