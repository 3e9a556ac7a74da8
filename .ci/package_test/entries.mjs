// Loads every entry point of the installed package by name and checks that each one's runtime exports are among the
// names committed in .ci/exports.json (the path is the first argument): each entry point loads on this runtime.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";

const committed = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const [entry, signatures] of Object.entries(committed)) {
  const names = Object.keys(signatures);
  const specifier = `@kcl/multilang${entry.slice(1)}`;
  const module = await import(specifier);
  const exported = Object.keys(module);
  assert.ok(exported.length > 0, `${specifier} exports nothing`);
  for (const name of exported) assert.ok(names.includes(name), `${specifier} exports ${name}, not in .ci/exports.json`);
}
console.log(`${Object.keys(committed).length} entry points load`);
