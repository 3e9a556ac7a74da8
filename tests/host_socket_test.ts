/**
 * The shard host's socket: only its owner can connect, its directory must
 * be the owner's alone, a dead host's socket is replaced and a live host's
 * path refused.
 */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, lstat, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { killHosts, relay, startHost } from "./support/host/host_child.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(async () => {
  await killHosts();
  await removeTempDirs();
});

/** Runs `command` and resolves with its exit code and stderr. */
function runCommand(command: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, (error, _stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stderr });
    });
  });
}

describe("the shard host's socket", () => {
  it("is a socket only its owner can use (mode 0600), removed when the host stops", async () => {
    const dir = await tempDir("kcl-host-");
    // Traversable by all: the socket's own mode must keep others out.
    await chmod(dir, 0o755);
    const path = join(dir, "kcl.sock");
    const host = startHost(path);
    await host.ready;
    try {
      const info = await lstat(path);
      assert.ok(info.isSocket());
      assert.equal(info.mode & 0o777, 0o600);
      // Root (from the owner of what we created: Deno's process.getuid needs --allow-sys) can drop to nobody.
      const root = info.uid === 0;
      if (root) {
        // Another user (nobody) is refused by the socket's mode.
        const other = await runCommand("setpriv", [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          "socat",
          "-u",
          "/dev/null",
          `UNIX-CONNECT:${path}`,
        ]);
        assert.notEqual(other.code, 0);
        assert.match(other.stderr, /Permission denied/);
      }
    } finally {
      host.signal("SIGTERM");
    }
    assert.equal(await host.exited, 0);
    await assert.rejects(lstat(path), { code: "ENOENT" });
  });

  it("refuses a directory other users can write, naming the fix", async () => {
    const dir = await tempDir("kcl-host-");
    await chmod(dir, 0o777);
    const host = startHost(join(dir, "kcl.sock"));
    await assert.rejects(host.ready, /is writable by other users \(mode 0777\).*mkdir -m 700/s);
    assert.equal(await host.exited, 1);
  });

  it("refuses a path that is not a socket, and a missing directory", async () => {
    const dir = await tempDir("kcl-host-");
    await writeFile(join(dir, "kcl.sock"), "data");
    const file = startHost(join(dir, "kcl.sock"));
    await assert.rejects(file.ready, /kcl\.sock exists and is not a socket; remove it or choose another path/);
    const missing = startHost(join(dir, "absent", "kcl.sock"));
    await assert.rejects(missing.ready, /the directory .*absent does not exist; create it .*mkdir -m 700 -p/);
  });

  it("refuses the path of a live host, and replaces the socket of a dead one", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const first = startHost(path);
    await first.ready;
    const second = startHost(path);
    await assert.rejects(second.ready, /another shard host is serving there.*stop it first/);
    assert.equal(await second.exited, 1);
    // The first host was not disturbed.
    const daemon = await relay(path);
    await daemon.initialize();
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);

    first.signal("SIGKILL");
    await first.exited;
    assert.ok((await lstat(path)).isSocket(), "a killed host leaves its socket behind");
    const third = startHost(path);
    await third.ready;
    try {
      const again = await relay(path);
      await again.initialize();
      await again.leaseLost();
      assert.equal(await again.end(), 0);
    } finally {
      third.signal("SIGTERM");
    }
    assert.equal(await third.exited, 0);
  });

  it("refuses a path too long for a Unix socket, leaving nothing behind", async () => {
    const dir = await tempDir("kcl-host-");
    await mkdir(join(dir, "sub"), { mode: 0o700 });
    const path = join(dir, "sub", "kcl.sock");
    const host = startHost(path);
    await host.ready;
    host.signal("SIGTERM");
    await host.exited;
    const refused = startHost(path + "-" + "x".repeat(120));
    await assert.rejects(refused.ready, /too long for a Unix socket/);
    const { readdir } = await import("node:fs/promises");
    assert.deepEqual(await readdir(join(dir, "sub")), []);
  });
});
