/**
 * Keeps the public surface deliberate. For every entry point of `deno.json`
 * it renders each export's signature (from `deno doc --json`: parameter,
 * return and member types, not only names) and checks two things:
 *
 * 1. The surface equals `.ci/exports.json`: a changed, added or removed
 *    export fails until the committed list says so (`--update` rewrites it).
 * 2. Every export that differs between `.ci/exports_baseline.json` (the
 *    surface the CHANGELOG section below `## Unreleased` describes) and
 *    `.ci/exports.json` is named in a code span of CHANGELOG.md's
 *    `## Unreleased` section (`LineSplitter`, or `LineSplitter.release()`).
 *
 * When the Unreleased section becomes a version, `--release` copies the
 * surface to the baseline. Both checks prove on a planted change that they
 * catch one.
 *
 *     deno run --allow-read --allow-write --allow-run .ci/exports.ts [--update | --release]
 */

// deno-lint-ignore no-explicit-any
type Json = any;
/** Entry point -> export name -> its signature, one line per declaration or member. */
type Surface = Record<string, Record<string, string[]>>;

const root = new URL("../", import.meta.url);
const listFile = new URL(".ci/exports.json", root);
const baselineFile = new URL(".ci/exports_baseline.json", root);
const changelogFile = new URL("CHANGELOG.md", root);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as { exports: Record<string, string> };

// ---- Rendering deno doc's JSON as TypeScript-like signatures -------------------------------------------------------

/** A construct this renderer does not know, kept as JSON so that a change to it still shows. */
function raw(node: Json): string {
  return `⟪${JSON.stringify(node, (key, value) => key === "location" || key === "jsDoc" ? undefined : value)}⟫`;
}

function types(list: Json[] | undefined, separator = ", "): string {
  return (list ?? []).map(type).join(separator);
}

function typeArgs(list: Json[] | undefined | null): string {
  return list === undefined || list === null || list.length === 0 ? "" : `<${types(list)}>`;
}

function typeParams(list: Json[] | undefined): string {
  if (list === undefined || list.length === 0) return "";
  return `<${
    list.map((p: Json) =>
      `${p.name}${p.constraint ? ` extends ${type(p.constraint)}` : ""}${p.default ? ` = ${type(p.default)}` : ""}`
    ).join(", ")
  }>`;
}

function literal(value: Json): string {
  switch (value.kind) {
    case "string":
      return JSON.stringify(value.string);
    case "number":
      return String(value.number);
    case "boolean":
      return String(value.boolean);
    case "bigInt":
      return `${value.string}n`;
    default:
      return raw(value);
  }
}

function type(t: Json): string {
  if (t === undefined || t === null) return "unknown";
  const v = t.value;
  switch (t.kind) {
    case "keyword":
      return v;
    case "literal":
      return literal(v);
    case "typeRef":
      return `${v.typeName}${typeArgs(v.typeParams)}`;
    case "union":
      return types(v, " | ");
    case "intersection":
      return types(v, " & ");
    case "array":
      return `${wrap(v)}[]`;
    case "tuple":
      return `[${types(v)}]`;
    case "typeOperator":
      return `${v.operator} ${wrap(v.tsType)}`;
    case "parenthesized":
      return `(${type(v)})`;
    case "rest":
      return `...${type(v)}`;
    case "optional":
      return `${type(v)}?`;
    case "typeQuery":
      return `typeof ${typeof v === "string" ? v : raw(v)}`;
    case "this":
      return "this";
    case "fnOrConstructor":
      return `${v.constructor ? "new " : ""}${typeParams(v.typeParams)}(${params(v.params)}) => ${type(v.tsType)}`;
    case "indexedAccess":
      return `${wrap(v.objType)}[${type(v.indexType)}]`;
    case "typePredicate":
      return `${v.asserts ? "asserts " : ""}${v.param.type === "this" ? "this" : v.param.name}${
        v.type ? ` is ${type(v.type)}` : ""
      }`;
    case "typeLiteral":
      return `{ ${members(v).join("; ")} }`;
    case "conditional":
      return `${type(v.checkType)} extends ${type(v.extendsType)} ? ${type(v.trueType)} : ${type(v.falseType)}`;
    case "infer":
      return `infer ${v.typeParam.name}`;
    case "importType":
      return `import(${JSON.stringify(v.specifier)})${v.qualifier ? `.${v.qualifier}` : ""}${typeArgs(v.typeParams)}`;
    default:
      return raw(t);
  }
}

/** `type`, parenthesized where a postfix (`[]`, `[K]`) would bind wrongly. */
function wrap(t: Json): string {
  const text = type(t);
  return ["union", "intersection", "fnOrConstructor", "conditional", "typeOperator"].includes(t?.kind)
    ? `(${text})`
    : text;
}

function param(p: Json): string {
  const annotation = p.tsType ? `: ${type(p.tsType)}` : "";
  switch (p.kind) {
    case "identifier":
      return `${p.name}${p.optional ? "?" : ""}${annotation}`;
    case "assign": // A default value: optional to the caller; the value itself is not part of the type.
      return `${param({ ...p.left, optional: true })}`;
    case "rest":
      return `...${param(p.arg)}${annotation}`;
    default:
      return `${raw({ ...p, tsType: undefined })}${annotation}`;
  }
}

function params(list: Json[] | undefined): string {
  return (list ?? []).map(param).join(", ");
}

/** Members of an interface or type literal. */
function members(def: Json): string[] {
  const lines: string[] = [];
  for (const s of def.constructors ?? []) {
    lines.push(`new ${typeParams(s.typeParams)}(${params(s.params)}): ${type(s.returnType)}`);
  }
  for (const s of def.callSignatures ?? []) {
    lines.push(`${typeParams(s.typeParams)}(${params(s.params)}): ${type(s.tsType)}`);
  }
  for (const s of def.indexSignatures ?? []) {
    lines.push(`${s.readonly ? "readonly " : ""}[${params(s.params)}]: ${type(s.tsType)}`);
  }
  for (const p of def.properties ?? []) {
    lines.push(
      `${p.readonly ? "readonly " : ""}${p.computed ? `[${p.name}]` : p.name}${p.optional ? "?" : ""}: ${
        type(p.tsType)
      }`,
    );
  }
  for (const m of def.methods ?? []) {
    const prefix = m.kind === "getter" ? "get " : m.kind === "setter" ? "set " : "";
    lines.push(
      `${prefix}${m.name}${m.optional ? "?" : ""}${typeParams(m.typeParams)}(${params(m.params)}): ${
        type(m.returnType)
      }`,
    );
  }
  return lines;
}

function classLines(name: string, def: Json): string[] {
  const head = `${def.isAbstract ? "abstract " : ""}class ${name}${typeParams(def.typeParams)}${
    def.extends ? ` extends ${def.extends}${typeArgs(def.superTypeParams)}` : ""
  }${def.implements?.length ? ` implements ${types(def.implements)}` : ""}`;
  const lines = [head];
  const visible = (member: Json) => member.accessibility !== "private";
  const modifiers = (member: Json) =>
    `${member.accessibility === "protected" ? "protected " : ""}${member.isStatic ? "static " : ""}${
      member.isAbstract ? "abstract " : ""
    }`;
  for (const c of (def.constructors ?? []).filter(visible)) {
    lines.push(`  ${modifiers(c)}constructor(${params(c.params)})`);
  }
  for (const s of def.indexSignatures ?? []) {
    lines.push(`  ${s.readonly ? "readonly " : ""}[${params(s.params)}]: ${type(s.tsType)}`);
  }
  for (const p of (def.properties ?? []).filter(visible)) {
    lines.push(`  ${modifiers(p)}${p.readonly ? "readonly " : ""}${p.name}${p.optional ? "?" : ""}: ${type(p.tsType)}`);
  }
  for (const m of (def.methods ?? []).filter(visible)) {
    const f = m.functionDef;
    const prefix = m.kind === "getter" ? "get " : m.kind === "setter" ? "set " : "";
    lines.push(
      `  ${modifiers(m)}${prefix}${m.name}${m.optional ? "?" : ""}${typeParams(f.typeParams)}(${params(f.params)})${
        m.kind === "setter" ? "" : `: ${type(f.returnType)}`
      }`,
    );
  }
  return lines;
}

/** The signature of one declaration of an export, as lines. */
function declarationLines(name: string, declaration: Json): string[] {
  const def = declaration.def;
  switch (declaration.kind) {
    case "function":
      return [`function ${name}${typeParams(def.typeParams)}(${params(def.params)}): ${type(def.returnType)}`];
    case "variable":
      return [`${def.kind} ${name}: ${type(def.tsType)}`];
    case "typeAlias":
      return [`type ${name}${typeParams(def.typeParams)} = ${type(def.tsType)}`];
    case "interface":
      return [
        `interface ${name}${typeParams(def.typeParams)}${def.extends?.length ? ` extends ${types(def.extends)}` : ""}`,
        ...members(def).map((line) => `  ${line}`),
      ];
    case "class":
      return classLines(name, def);
    case "enum":
      return [`enum ${name}`, ...def.members.map((m: Json) => `  ${m.name}${m.init ? ` = ${type(m.init)}` : ""}`)];
    default:
      return [`${declaration.kind} ${name} ${raw(def)}`];
  }
}

async function surfaceOf(entry: string): Promise<Record<string, string[]>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: root,
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Cannot list the exports of ${entry}: deno doc failed`);
  return render(JSON.parse(new TextDecoder().decode(output.stdout)));
}

function render(doc: Json): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const node of Object.values(doc.nodes) as Json[]) {
    for (const symbol of node.symbols ?? []) {
      if (symbol.name === "default") continue;
      const lines = symbol.declarations.flatMap((d: Json) => declarationLines(symbol.name, d));
      result[symbol.name] = [...(result[symbol.name] ?? []), ...lines];
    }
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}

// ---- Comparing ---------------------------------------------------------------------------------------------------

interface Difference {
  readonly entry: string;
  readonly name: string;
  readonly change: "added" | "removed" | "changed";
  readonly before: readonly string[];
  readonly after: readonly string[];
}

function differences(before: Surface, after: Surface): Difference[] {
  const result: Difference[] = [];
  for (const entry of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[entry] ?? {};
    const now = after[entry] ?? {};
    for (const name of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
      const a = was[name];
      const b = now[name];
      if (a === undefined) result.push({ entry, name, change: "added", before: [], after: b! });
      else if (b === undefined) result.push({ entry, name, change: "removed", before: a, after: [] });
      else if (JSON.stringify(a) !== JSON.stringify(b)) {
        result.push({ entry, name, change: "changed", before: a, after: b });
      }
    }
  }
  return result;
}

function describe(difference: Difference): string {
  const { entry, name, change, before, after } = difference;
  const lines = [`${entry}: ${name} ${change}`];
  if (change === "changed") {
    for (const line of before.filter((l) => !after.includes(l))) lines.push(`    - ${line}`);
    for (const line of after.filter((l) => !before.includes(l))) lines.push(`    + ${line}`);
  }
  return lines.join("\n");
}

/** The identifiers in the code spans of CHANGELOG.md's `## Unreleased` section (empty when it has none). */
function unreleasedNames(changelog: string): Set<string> {
  const start = changelog.search(/^## Unreleased\b/m);
  if (start === -1) return new Set();
  const rest = changelog.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  const spans = [...section.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return new Set(spans.flatMap((span) => span.match(/[A-Za-z_$][\w$]*/g) ?? []));
}

/** The differences between baseline and surface that CHANGELOG.md's Unreleased section does not name. */
function unrecorded(baseline: Surface, surface: Surface, changelog: string): Difference[] {
  const named = unreleasedNames(changelog);
  return differences(baseline, surface).filter((difference) => !named.has(difference.name));
}

async function readSurface(file: URL): Promise<Surface> {
  try {
    return JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    console.error(`Cannot read ${file.pathname}: ${(error as Error).message}`);
    return {};
  }
}

const write = (file: URL, surface: Surface) => Deno.writeTextFile(file, JSON.stringify(surface, null, 2) + "\n");

// ---- Main ----------------------------------------------------------------------------------------------------------

const actual: Surface = {};
for (const [entry, file] of Object.entries(config.exports)) actual[entry] = await surfaceOf(file);

if (Deno.args.includes("--release")) {
  await write(baselineFile, actual);
  console.log(`Wrote ${baselineFile.pathname}: the surface of the release; start a new ## Unreleased section`);
  Deno.exit(0);
}
if (Deno.args.includes("--update")) {
  await write(listFile, actual);
  console.log(`Wrote ${listFile.pathname}`);
}

const committed = await readSurface(listFile);
const baseline = await readSurface(baselineFile);
const changelog = await Deno.readTextFile(changelogFile);
let failed = false;

const unlisted = differences(committed, actual);
if (unlisted.length > 0) {
  console.error("The public surface differs from .ci/exports.json:\n  " + unlisted.map(describe).join("\n  "));
  console.error(
    "If the change is on purpose: deno task exports --update, and name it in CHANGELOG.md's ## Unreleased.",
  );
  failed = true;
}
const missing = unrecorded(baseline, committed, changelog);
if (missing.length > 0) {
  console.error(
    "CHANGELOG.md's ## Unreleased section does not name these changes to the public surface (since " +
      ".ci/exports_baseline.json):\n  " + missing.map(describe).join("\n  "),
  );
  console.error("Name each in a code span there, e.g. `LineSplitter.release()` removed.");
  failed = true;
}

// Canaries: each check must catch a planted change, so that neither can pass by checking nothing.
const [someEntry, someExports] = Object.entries(actual).find(([, names]) => Object.keys(names).length > 0)!;
const someName = Object.keys(someExports)[0]!;
const planted: Surface = {
  ...actual,
  [someEntry]: { ...someExports, [someName]: [...someExports[someName]!, "planted"] },
};
const plantedDoc = {
  nodes: {
    planted: {
      symbols: [{
        name: "f",
        declarations: [{
          kind: "function",
          def: { params: [{ kind: "identifier", name: "x", tsType: { kind: "keyword", value: "string" } }] },
        }],
      }],
    },
  },
};
const renderedBefore = render(plantedDoc).f;
plantedDoc.nodes.planted.symbols[0]!.declarations[0]!.def.params[0]!.tsType.value = "number";
if (
  differences(actual, planted).length !== 1 ||
  JSON.stringify(renderedBefore) === JSON.stringify(render(plantedDoc).f) ||
  unrecorded(actual, planted, "## Unreleased\n\n- nothing\n").length !== 1 ||
  unrecorded(actual, planted, `## Unreleased\n\n- \`${someName}\` changed\n`).length !== 0
) {
  console.error("The exports check passed a planted change of a signature: it checks nothing.");
  failed = true;
}

if (failed) Deno.exit(1);
console.log(
  `Exports match .ci/exports.json (${Object.keys(actual).length} entry points, signatures compared), ` +
    "CHANGELOG's Unreleased names every change since .ci/exports_baseline.json (and planted changes are caught)",
);
