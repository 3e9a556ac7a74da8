// npm's prepack (`npm pack`, `npm publish`): runs the npm build, `deno task build`, with the Deno of the pinned tools
// (.ci/tools, installed by `deno task tools`) or else the one on PATH. Without either it says how to get them, where
// a bare `deno task build` would fail with the shell's "deno: not found" (exit code 127). Node only: npm runs it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

const pinned = fileURLToPath(
  new URL(`tools/node_modules/.bin/deno${process.platform === "win32" ? ".cmd" : ""}`, import.meta.url),
);
const deno = existsSync(pinned) ? pinned : "deno";
const build = spawnSync(deno, ["task", "build"], { stdio: "inherit" });
if (build.error !== undefined) {
  const reason = build.error.code === "ENOENT" ? "no `deno` in .ci/tools or on PATH" : build.error.message;
  process.stderr.write(
    `Cannot pack @kcl/multilang: the npm build (deno task build) needs Deno and the pinned tools (${reason}). ` +
      "Install them first, with only Node and npm: npx -y deno@2.9.6 task tools; then run npm pack again.\n",
  );
  process.exit(1);
}
process.exit(build.status ?? 1);
