/**
 * Finds the pinned runtimes and the pinned official `aws-kcl`, installing
 * them when missing: the runtimes with `npm ci --prefix .ci/tools` (the
 * `deno task tools` step), `aws-kcl` into the git-ignored `bench/.peers/`
 * (never a dependency of the module).
 *
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The official package version compared against (the newest on npm when the bench was written). */
export const AWS_KCL_VERSION = "2.3.2";

/** Paths of the runtimes the children run on. */
export interface Runtimes {
  readonly deno: string;
  readonly bun: string;
  readonly node: string;
  readonly versions: Readonly<Record<"deno" | "bun" | "node" | "awsKcl", string>>;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function runCommand(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Uint8Array) => (output += new TextDecoder().decode(chunk)));
    child.stderr.on("data", (chunk: Uint8Array) => (output += new TextDecoder().decode(chunk)));
    child.on("error", reject);
    child.on(
      "close",
      (code: number | null) =>
        code === 0
          ? resolve(output)
          : reject(new Error(`Cannot run ${command} ${args.join(" ")}: exit ${code}\n${output}`)),
    );
  });
}

/** Installs what is missing, then reports paths and versions. */
export async function prepareRuntimes(root: string, log: (line: string) => void): Promise<Runtimes> {
  const bin = join(root, ".ci/tools/node_modules/.bin");
  const bun = join(bin, "bun");
  const node = join(bin, "node");
  if (!existsSync(bun) || !existsSync(node)) {
    log("Installing the pinned runtimes (npm ci --prefix .ci/tools)…");
    await runCommand("npm", ["ci", "--prefix", ".ci/tools", "--no-audit", "--no-fund", "--loglevel=error"], root);
  }
  const peers = join(root, "bench/.peers");
  const awsKclPackage = join(peers, "node_modules/aws-kcl/package.json");
  if (!existsSync(awsKclPackage) || installedVersion(awsKclPackage) !== AWS_KCL_VERSION) {
    log(`Installing aws-kcl@${AWS_KCL_VERSION} into bench/.peers…`);
    await runCommand(
      "npm",
      ["install", "--prefix", "bench/.peers", `aws-kcl@${AWS_KCL_VERSION}`, "--save-exact", "--no-audit", "--no-fund"],
      root,
    );
  }
  // The bench's own Deno when it runs on Deno; the pinned one when it runs on Node (a cheaper driver: bench/HOST.md).
  const deno = "Deno" in globalThis ? process.execPath : join(bin, "deno");
  const version = async (path: string) => (await runCommand(path, ["--version"], root)).trim().split("\n")[0]!;
  return {
    deno,
    bun,
    node,
    versions: {
      deno: (await version(deno)).replace(/^deno /, "").replace(/ .*/, ""),
      bun: await version(bun),
      node: (await version(node)).replace(/^v/, ""),
      awsKcl: installedVersion(awsKclPackage),
    },
  };
}

/** The machine, read through commands: Deno's `node:os` needs --allow-sys, which the task does not grant. */
export async function describeMachine(root: string): Promise<{ cores: number; cpu: string; memoryGiB: number }> {
  const cores = Number((await runCommand("nproc", [], root)).trim());
  const cpuinfo = await runCommand("cat", ["/proc/cpuinfo", "/proc/meminfo"], root);
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU";
  const memoryKiB = Number(/^MemTotal:\s+(\d+) kB$/m.exec(cpuinfo)?.[1] ?? 0);
  return { cores, cpu, memoryGiB: Math.round(memoryKiB / 2 ** 20) };
}

function installedVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** The machine's 1, 5 and 15 minute load averages (other jobs share it), as printed by `/proc/loadavg`. */
export async function loadAverage(root: string): Promise<string[]> {
  return (await runCommand("cat", ["/proc/loadavg"], root)).trim().split(" ").slice(0, 3);
}
