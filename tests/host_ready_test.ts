/**
 * A host started by a supervisor on Node (the npm package's kcl-launcher
 * runs there) says it is ready on the pipe at KCL_HOST_READY_FD, on every
 * runtime. Deno's node:fs takes a descriptor above 2 as its own resource id
 * (writeSync(4) failed with EBADF under a Node supervisor, so
 * `npx kcl-launcher --host "deno run ..."` never started the daemon).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, it } from "node:test";
import { childCommand, repoPath } from "./support/child_command.ts";
import { HOST_DENO_FLAGS } from "./support/host/host_child.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

/** Runs the Node supervisor fixture over the test host; resolves with its stdout lines. */
async function supervise(mode?: string): Promise<string[]> {
  const dir = await tempDir("kcl-host-ready-");
  await mkdir(join(dir, "run"), { mode: 0o700 });
  const socket = join(dir, "run", "kcl.sock");
  const host = childCommand(repoPath("tests/fixtures/shard_host.ts"), HOST_DENO_FLAGS, [socket]);
  const supervisor = spawn("node", [
    repoPath("tests/fixtures/node_host_supervisor.mjs"),
    socket,
    JSON.stringify([host[0], ...host[1]]),
    ...(mode === undefined ? [] : [mode]),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  supervisor.stdout!.on("data", (chunk) => stdout += chunk);
  supervisor.stderr!.on("data", (chunk) => stderr += chunk);
  const code = await new Promise((resolve) => supervisor.on("close", resolve));
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assert.equal(lines[0], "ready", `the host's stderr:\n${stderr}`);
  return lines;
}

it("a host under a Node supervisor says ready on KCL_HOST_READY_FD and accepts on KCL_HOST_LISTEN_FD", async () => {
  const lines = await supervise();
  assert.equal(lines[1], "accepted");
  assert.equal(lines[2], "host exited 0");
});

it("a host handles SIGTERM from the moment it says ready: it closes and exits 0", async () => {
  assert.deepEqual(await supervise("term-at-ready"), ["ready", "host exited 0"]);
});
