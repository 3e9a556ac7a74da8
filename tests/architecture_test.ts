/**
 * The layering, checked: imports run one way (protocol <- session <- the
 * rest), never sideways between runtime, batch and testing (host sits beside
 * runtime and uses it); the two CLIs
 * (local, launcher) sit on top: they reach the process only through
 * runtime's `cli.ts`, share cli, and local drives testing's FakeDaemon. A
 * folder's `_` files are private to it: another folder imports only its files
 * without `_`. No file imports itself through a cycle, and only the folders
 * that run as or drive processes import `node:*`.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { repoPath } from "./support/child_command.ts";

const src = repoPath("src");

/** Which folders each folder may import from. */
const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  session: ["protocol"],
  runtime: ["protocol", "session"],
  batch: ["protocol", "session"],
  testing: ["protocol", "session"],
  // The shard host sits beside runtime: it serves sessions over sockets, with runtime's stderr, signals and console.
  host: ["protocol", "session", "runtime"],
  cli: ["runtime"],
  local: ["protocol", "session", "runtime", "testing", "cli"],
  launcher: ["protocol", "session", "runtime", "cli", "host"],
};

/**
 * Folders whose code may import `node:*`: the runtime adapters (Node's only),
 * the FakeDaemon's child processes, the two CLIs (files, processes,
 * arguments) and the shard host (its Unix socket, `node:net`, and the
 * sessions' async context, `node:async_hooks`): all three runtimes ship
 * these modules.
 */
const NODE_ALLOWED = new Set(["runtime", "testing", "cli", "local", "launcher", "host"]);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The module specifiers a file imports or re-exports (static and dynamic), comments excluded. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers = [...code.matchAll(/(?:^|\s)(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]!);
  specifiers.push(...[...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!));
  specifiers.push(...[...code.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => m[1]!));
  return specifiers;
}

const folderOf = (file: string) => relative(src, file).split(/[\\/]/)[0]!;
const files = sourceFiles(src);

/** What breaks the layering in `sources` (absolute path under `src/` -> code): one line per wrong import. */
function layeringProblems(sources: ReadonlyMap<string, string>): string[] {
  const wrong: string[] = [];
  for (const [file, code] of sources) {
    const from = folderOf(file);
    for (const specifier of importsOf(code)) {
      if (specifier.startsWith("node:")) {
        if (!NODE_ALLOWED.has(from)) wrong.push(`${relative(src, file)} imports ${specifier}`);
        continue;
      }
      if (!specifier.startsWith(".")) {
        wrong.push(`${relative(src, file)} imports a package: ${specifier}`);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      const to = folderOf(target);
      if (!target.startsWith(src) || (to !== from && !ALLOWED[from]!.includes(to))) {
        wrong.push(`${relative(src, file)} imports ${specifier} (${from} -> ${to})`);
      } else if (to !== from && basename(target).startsWith("_")) {
        wrong.push(`${relative(src, file)} imports ${specifier} (${to}'s private file)`);
      }
    }
  }
  return wrong;
}

const sources = new Map(files.map((file) => [file, readFileSync(file, "utf8")]));

describe("the source tree's layering", () => {
  it("knows every folder of src/", () => {
    assert.deepEqual([...new Set(files.map(folderOf))].sort(), Object.keys(ALLOWED).sort());
  });

  it("imports only downward, another folder's files without `_` only, and node:* only where processes run", () => {
    assert.deepEqual(layeringProblems(sources), []);
  });

  it("catches planted imports of another folder's private file, upward, and of node:* in session", () => {
    const planted = new Map(sources);
    const plant = (path: string, code: string) => planted.set(join(src, path), code);
    plant("cli/_planted.ts", 'import type { HostSignal } from "../runtime/_host.ts";\nexport type S = HostSignal;\n');
    plant("launcher/_planted.ts", 'export { permissionRefusal } from "../runtime/_cli_permission.ts";\n');
    plant("session/_planted.ts", 'import process from "node:process";\nimport { run } from "../runtime/run.ts";\n');
    plant("runtime/_planted.ts", 'import { cliProcess } from "./_cli_process.ts";\n');
    assert.deepEqual(layeringProblems(planted), [
      "cli/_planted.ts imports ../runtime/_host.ts (runtime's private file)",
      "launcher/_planted.ts imports ../runtime/_cli_permission.ts (runtime's private file)",
      "session/_planted.ts imports node:process",
      "session/_planted.ts imports ../runtime/run.ts (session -> runtime)",
    ]);
  });

  it("has no import cycle", () => {
    const graph = new Map(files.map((file) => [
      file,
      importsOf(sources.get(file)!).filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s)),
    ]));
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
