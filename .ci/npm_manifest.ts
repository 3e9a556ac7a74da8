/**
 * Keeps `package.json` (npm) in step with `deno.json` (JSR), the single source
 * of the entry points and the version: the npm `exports` map and `bin`
 * entries are derived from `deno.json` `exports`, and `deno task check` fails
 * when the committed `package.json` differs. `--update` rewrites the derived
 * fields.
 *
 *     deno run --allow-read --allow-write .ci/npm_manifest.ts [--update]
 *
 * @module
 */

/** The npm `bin` commands and the `deno.json` entry point each one runs (its `main(args)`). */
export const BINS: Readonly<Record<string, string>> = {
  "kcl-local": "./local",
  "kcl-launcher": "./launcher",
};

/** Where the build writes the compiled package; paths below are relative to the repository root. */
export const DIST = "dist";

interface DenoJson {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
}

type Conditions = { types: string; default: string };

/** The package.json fields that are derived from deno.json, as they must read. */
export interface DerivedFields {
  name: string;
  version: string;
  license: string;
  exports: Record<string, Conditions | string>;
  bin: Record<string, string>;
}

const root = new URL("../", import.meta.url);

/** Reads `deno.json`. */
export async function readDenoJson(): Promise<DenoJson> {
  return JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as DenoJson;
}

/** `./src/batch/mod.ts` -> `./dist/src/batch/mod` (without extension). */
function compiledStem(source: string): string {
  if (!source.startsWith("./") || !source.endsWith(".ts")) {
    throw new Error(`Cannot map the entry ${source} to dist/: deno.json exports must be ./…/*.ts files`);
  }
  return `./${DIST}/${source.slice(2, -3)}`;
}

/** The compiled module of a `deno.json` entry point (`./local` -> `./dist/src/local/mod.js`). */
export function compiledEntry(denoJson: DenoJson, entry: string): string {
  const source = denoJson.exports[entry];
  if (source === undefined) throw new Error(`Cannot find the entry point ${entry} in deno.json exports`);
  return `${compiledStem(source)}.js`;
}

/** The fields of package.json derived from deno.json. */
export function derivedFields(denoJson: DenoJson): DerivedFields {
  const exports: Record<string, Conditions | string> = {};
  for (const [entry, source] of Object.entries(denoJson.exports)) {
    const stem = compiledStem(source);
    exports[entry] = { types: `${stem}.d.ts`, default: `${stem}.js` };
  }
  exports["./package.json"] = "./package.json";
  const bin: Record<string, string> = {};
  for (const [name, entry] of Object.entries(BINS)) {
    compiledEntry(denoJson, entry); // the entry must exist
    bin[name] = `./${DIST}/bin/${name}.js`;
  }
  return { name: denoJson.name, version: denoJson.version, license: denoJson.license, exports, bin };
}

/** What is wrong with `manifest` (empty when it is in step with deno.json and shaped as the package needs). */
export function manifestProblems(manifest: Record<string, unknown>, derived: DerivedFields): string[] {
  const problems: string[] = [];
  for (const [field, value] of Object.entries(derived)) {
    const actual = manifest[field];
    if (JSON.stringify(actual) === JSON.stringify(value)) continue;
    if (typeof value === "object" && typeof actual === "object" && actual !== null) {
      // Maps (exports, bin): name each key that differs.
      const has = actual as Record<string, unknown>;
      for (const key of new Set([...Object.keys(value), ...Object.keys(has)])) {
        const want = (value as Record<string, unknown>)[key];
        if (JSON.stringify(has[key]) !== JSON.stringify(want)) {
          problems.push(`"${field}" "${key}" is ${JSON.stringify(has[key])}, deno.json says ${JSON.stringify(want)}`);
        }
      }
    } else {
      problems.push(`"${field}" is ${JSON.stringify(actual)}, deno.json says ${JSON.stringify(value)}`);
    }
  }
  const fixed: Record<string, unknown> = { type: "module", sideEffects: false, files: [`${DIST}/`] };
  for (const [field, value] of Object.entries(fixed)) {
    if (JSON.stringify(manifest[field]) !== JSON.stringify(value)) {
      problems.push(`"${field}" must be ${JSON.stringify(value)}`);
    }
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies"]) {
    if (manifest[field] !== undefined) problems.push(`"${field}": the module has zero runtime dependencies`);
  }
  for (const field of ["engines", "repository", "description"]) {
    if (manifest[field] === undefined) problems.push(`"${field}" is missing`);
  }
  return problems;
}

/** The repository's web address, from package.json `repository.url` (`git+https://…/x.git` -> `https://…/x`). */
export function repositoryUrl(manifest: Record<string, unknown>): string | undefined {
  const url = (manifest.repository as { url?: unknown } | undefined)?.url;
  return typeof url === "string" ? url.replace(/^git\+/, "").replace(/\.git$/, "") : undefined;
}

if (import.meta.main) {
  const file = new URL("package.json", root);
  const manifest = JSON.parse(await Deno.readTextFile(file)) as Record<string, unknown>;
  const derived = derivedFields(await readDenoJson());
  if (Deno.args.includes("--update")) {
    await Deno.writeTextFile(file, JSON.stringify({ ...manifest, ...derived }, null, 2) + "\n");
    console.log(`Wrote ${file.pathname} from deno.json`);
  } else {
    const problems = manifestProblems(manifest, derived);
    // The README (what npm and JSR display) points readers at the repository for examples/.
    const repository = repositoryUrl(manifest);
    const readme = await Deno.readTextFile(new URL("README.md", root));
    if (repository !== undefined && !readme.includes(`](${repository})`)) {
      problems.push(`README.md does not link the repository ${repository} (package.json "repository")`);
    }
    if (problems.length > 0) {
      console.error(`package.json is out of step with deno.json:\n  ${problems.join("\n  ")}`);
      console.error("Fix: deno task package:manifest --update (derived fields), or edit package.json.");
      Deno.exit(1);
    }
    console.log(
      `package.json matches deno.json (${derived.version}, ${Object.keys(derived.exports).length - 1} entry points)`,
    );
  }
}
