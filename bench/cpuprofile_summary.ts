/**
 * Prints the hottest functions of a `.cpuprofile` (from `--cpu-prof`) by
 * self time, with file:line, and self time by kind of code: the module
 * (`src/`, `mod`), the bench's children, the runtime's own JavaScript
 * (`node:`), native code (no file: builtins such as `JSON.parse` count
 * in their JavaScript caller), the garbage collector, idle.
 *
 * ```sh
 * deno run --allow-read bench/cpuprofile_summary.ts CPU.*.cpuprofile [top=25]
 * ```
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [path, topArg] = process.argv.slice(2);
if (path === undefined) throw new Error("Cannot summarise: give a .cpuprofile path");
const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = profile.timeDeltas.reduce((a, b) => a + b, 0);

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\/.*?\/(src|bench|mod\.ts)/, "$1").replace(/^node:/, "node:");
  return `${functionName || "(anonymous)"} ${file}${url === "" ? "" : `:${lineNumber + 1}`}`;
};
const self = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const key = label(byId.get(id)!);
  self.set(key, (self.get(key) ?? 0) + micros);
}
const kinds = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url } = byId.get(id)!.callFrame;
  const kind = /\/(src\/|mod\.[jt]s)/.test(url)
    ? "module (src/, mod)"
    : url.includes("/bench/")
    ? "bench child"
    : url.startsWith("node:")
    ? "runtime JavaScript (node:)"
    : url !== ""
    ? "other JavaScript"
    : functionName.startsWith("(")
    ? functionName
    : "native";
  kinds.set(kind, (kinds.get(kind) ?? 0) + micros);
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms\n`);
for (const [kind, micros] of [...kinds].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(
    `${(micros / 1000).toFixed(1).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  [${kind}]\n`,
  );
}
for (const [key, micros] of top) {
  process.stdout.write(
    `${(micros / 1000).toFixed(1).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}\n`,
  );
}
