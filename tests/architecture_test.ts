/**
 * The layering, checked: imports run one way (protocol <- session <- the
 * rest), never sideways between runtime, batch and testing (host sits beside
 * runtime and uses it); the two CLIs
 * (local, launcher) sit on top: they reach the process only through
 * runtime's `_cli_process.ts`, share cli, and local drives testing's
 * FakeDaemon. No file imports itself through a cycle, and only the folders
 * that run as or drive processes import `node:*`.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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
function importsOf(file: string): string[] {
  const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers = [...code.matchAll(/(?:^|\s)(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]!);
  specifiers.push(...[...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!));
  specifiers.push(...[...code.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => m[1]!));
  return specifiers;
}

const folderOf = (file: string) => relative(src, file).split(/[\\/]/)[0]!;
const files = sourceFiles(src);

describe("the source tree's layering", () => {
  it("knows every folder of src/", () => {
    assert.deepEqual([...new Set(files.map(folderOf))].sort(), Object.keys(ALLOWED).sort());
  });

  it("imports only downward, and node:* only where processes are run or driven", () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const specifier of importsOf(file)) {
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
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("has no import cycle", () => {
    const graph = new Map(files.map((file) => [
      file,
      importsOf(file).filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s)),
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
