/**
 * `kcl-launcher --host`: the host first, the daemon once the socket
 * accepts, signals to the daemon, the host stopped after it; and `--check`
 * on a relay's program and socket.
 */

import assert from "node:assert/strict";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { accepts } from "../src/host/socket_path.ts";
import { childCommand, repoPath } from "./support/child_command.ts";
import { HOST_DENO_FLAGS, killHosts, startHost } from "./support/host/host_child.ts";
import { createFakeJava, type FakeJava } from "./support/launcher/fake_java.ts";
import { lockForServedJars, type MavenServer, startMavenServer } from "./support/launcher/maven_server.ts";
import { findClasspathSet } from "../src/launcher/classpath_sets.ts";
import { cleanEnv, runLauncher, startLauncher } from "./support/launcher/run_launcher.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(async () => {
  await killHosts();
  await removeTempDirs();
});

/** A folder with `app.properties` whose executableName is `relay` (`{sock}` is the socket path), a fake java. */
async function workspace(relay = "socat -b 65536 STDIO UNIX-CONNECT:{sock}") {
  const dir = await tempDir("kcl-host-launch-");
  await mkdir(join(dir, "run"), { mode: 0o700 });
  const socket = join(dir, "run", "kcl.sock");
  const properties = [
    `executableName = ${relay.replace("{sock}", socket)}`,
    "applicationName = orders",
    "streamName = orders",
    "shutdownGraceMillis = 30000",
    "",
  ].join("\n");
  await writeFile(join(dir, "app.properties"), properties);
  // The test repository serves stand-in jars: a lock of their digests replaces the real jars' pins.
  await writeFile(join(dir, "app.kcl.lock"), lockForServedJars(findClasspathSet("3.1.3")!));
  const java = await createFakeJava(dir);
  return { dir, socket, java, cache: join(dir, "cache") };
}

const hostCommand = (socket: string): string => {
  const [command, args] = childCommand(repoPath("tests/fixtures/shard_host.ts"), HOST_DENO_FLAGS, [socket]);
  return [command, ...args].join(" ");
};

describe("kcl-launcher --host", () => {
  let server: MavenServer;
  before(async () => {
    server = await startMavenServer();
  });
  after(() => server.close());

  const common = (cache: string, java: FakeJava): string[] => [
    "--properties",
    "app.properties",
    "--repository",
    server.url,
    "--cache",
    cache,
    "--java",
    java.path,
  ];

  it("starts the host processes before the daemon, forwards SIGTERM to the daemon, then stops the hosts", async () => {
    const { dir, socket, java, cache } = await workspace();
    const launcher = startLauncher(
      [...common(cache, java), "--host", hostCommand(socket), "--host-processes", "2"],
      dir,
      cleanEnv({ KCL_FAKE_JAVA_WAIT: "1" }),
    );
    let hostServedAtDaemonStart: Promise<boolean> | undefined;
    launcher.onStdout((chunk) => {
      if (!chunk.includes("daemon started")) return;
      hostServedAtDaemonStart = accepts(socket);
      void hostServedAtDaemonStart.then(() => launcher.signal("SIGTERM"));
    });
    const result = await launcher.done;
    assert.equal(await hostServedAtDaemonStart, true, "the host served when the daemon started");
    // The hosts' stdout (the fixture's `ready`, printed after serveShards said so) and the daemon's share the launcher's.
    assert.match(result.stdout, /daemon started\n(?:.*\n)*daemon got TERM\n/);
    assert.deepEqual(result.stdout.split("\n").filter((line) => line.startsWith("ready")), [
      `ready ${socket}`,
      `ready ${socket}`,
    ]);
    assert.equal(result.code, 143);
    assert.match(
      result.stderr,
      /Starting 2 shard host process\(es\) on .*\n(?:.*\n)*The shard host serves at .*kcl\.sock; starting the daemon\n/,
    );
    // The launcher's probes of the socket are no sessions worth a line at the default level.
    assert.doesNotMatch(result.stderr, /Input ended connection=/);
    assert.equal(result.stderr.match(/INFO kcl-host: SIGTERM: closing the shard host/g)?.length, 2);
    assert.match(result.stderr, /Starting 2 shard host process\(es\) on /);
    assert.doesNotMatch(result.stderr, /warning: The shard host exited/);
    // The host stopped: its socket is gone.
    await assert.rejects(access(socket));
    assert.equal(await accepts(socket), false);
  });

  it("fails before the daemon when the host cannot serve, naming its exit code", async () => {
    const { dir, socket, java, cache } = await workspace();
    const result = await runLauncher([...common(cache, java), "--host", "sh -c exit\t3"], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`the shard host exited with code \\d+ before serving at ${socket}`));
    assert.deepEqual(await java.readArgs(), [], "the daemon never started");
  });

  it("--check: the relay program and a free socket path with --host, a missing host without", async () => {
    const { dir, socket, java, cache } = await workspace();
    const withHost = await runLauncher([...common(cache, java), "--check", "--host", hostCommand(socket)], dir);
    assert.match(withHost.stdout, /^ok +relay: \/\S*socat connects each shard to .*kcl\.sock$/m);
    assert.match(withHost.stdout, /^ok +socket: .*kcl\.sock is free; --host starts the host there first$/m);
    const without = await runLauncher([...common(cache, java), "--check"], dir);
    assert.match(
      without.stdout,
      /^error +socket: no shard host serves at .*kcl\.sock: every relay would fail at once/m,
    );
    const host = startHost(socket);
    await host.ready;
    try {
      const live = await runLauncher([...common(cache, java), "--check"], dir);
      assert.match(live.stdout, /^ok +socket: a shard host serves at .*kcl\.sock$/m);
    } finally {
      host.signal("SIGTERM");
      await host.exited;
    }
  });

  it("--check: nc without -N never ends a session", async () => {
    const { dir, java, cache } = await workspace("nc -U {sock}");
    const result = await runLauncher([...common(cache, java), "--check"], dir);
    assert.match(
      result.stdout,
      /^error +relay: without -N, nc never tells the host .*write `executableName = nc -N -U /m,
    );
    assert.equal(result.code, 1);
  });
});
