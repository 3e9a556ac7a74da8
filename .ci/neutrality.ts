/**
 * Proves the runtime-free folders runtime-free: they must type-check with
 * only the Web platform's types (`.ci/tsconfig.web.json`), and the same
 * check must fail on a planted `process.exit(1)`, so that it cannot pass
 * by checking nothing.
 *
 *     deno run --allow-read --allow-write --allow-run --allow-env .ci/neutrality.ts
 */

const root = new URL("../", import.meta.url).pathname;
const tsc = `${root}.ci/tools/node_modules/.bin/tsc`;

async function typeCheck(project: string): Promise<{ ok: boolean; output: string }> {
  const result = await new Deno.Command(tsc, { args: ["-p", project], cwd: root }).output();
  const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  return { ok: result.success, output };
}

const real = await typeCheck(`${root}.ci/tsconfig.web.json`);
if (!real.ok) {
  console.error("Runtime-free code names a runtime (only src/runtime/ may):\n" + real.output);
  Deno.exit(1);
}

const planted = await Deno.makeTempDir({ prefix: "kcl-neutrality-" });
try {
  const source = await Deno.readTextFile(`${root}src/session/sequence.ts`);
  await Deno.writeTextFile(`${planted}/sequence.ts`, source + "\nprocess.exit(1);\n");
  await Deno.writeTextFile(
    `${planted}/tsconfig.json`,
    JSON.stringify({ extends: `${root}.ci/tsconfig.web.json`, include: [`${planted}/sequence.ts`] }),
  );
  const canary = await typeCheck(`${planted}/tsconfig.json`);
  if (canary.ok || !/Cannot find name 'process'/.test(canary.output)) {
    console.error("The neutrality check passed a planted process.exit(1): it checks nothing.\n" + canary.output);
    Deno.exit(1);
  }
} finally {
  await Deno.remove(planted, { recursive: true });
}
console.log("Runtime-free folders use only Web platform types (and a planted process.exit is caught)");
