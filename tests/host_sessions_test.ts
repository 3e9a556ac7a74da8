/**
 * The shard host through real relays: a host child process, `socat`
 * relays started by FakeDaemons as the daemon starts its children, and
 * every shard's life checked as a child's would be.
 */

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { spawn } from "node:child_process";
import { lstat, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { bindPrivateSocket, listeningDescriptor } from "../src/host/socket_path.ts";
import { createSessionCounts } from "../src/host/accept_balance.ts";
import { FakeDaemon, FakeDaemonError, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath } from "./support/child_command.ts";
import { killHosts, relay, startHost } from "./support/host/host_child.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(async () => {
  await killHosts();
  await removeTempDirs();
});

const shardId = (n: number, suffix = "") => `shardId-${String(n).padStart(12, "0")}${suffix}`;

/** The live session counts the host processes published, slot by slot. */
async function readCounts(path: string): Promise<number[]> {
  return [...new Uint32Array(new Uint8Array(await readFile(path)).buffer)];
}

/** Resolves once `holds()` does (checked every 20 ms), or fails after 60 s. */
async function until(holds: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 60_000; !(await holds());) {
    assert.ok(Date.now() < deadline, "the state waited for did not come within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A session through a relay whose processor fails on its first batch: the host closes the connection, no status. */
async function failingSession(path: string, shard: string, data: string): Promise<void> {
  const daemon = await relay(path);
  await daemon.initialize({ shardId: shard });
  await assert.rejects(
    daemon.processRecords(new RecordBuilder().build([data])),
    (error) => error instanceof FakeDaemonError && error.kind === "child-exited",
  );
}

/** One of three lives, by `n`: shard end, lease lost, or a requested shutdown then lease lost. */
async function fullLife(daemon: FakeDaemon, n: number): Promise<void> {
  const builder = new RecordBuilder();
  await daemon.initialize({ shardId: shardId(n) });
  const records = builder.build([`a${n}`, `b${n}`, `c${n}`]);
  const batch = await daemon.processRecords(records);
  assert.deepEqual(batch.checkpoints.map((c) => c.error), [null]);
  assert.equal(daemon.checkpoint?.sequenceNumber, records[2]!.sequenceNumber);
  switch (n % 3) {
    case 0: {
      // The processor has no shardEnded: the host sends SHARD_END itself.
      const end = await daemon.shardEnded();
      assert.equal(end.responseFor, "shardEnded");
      assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END");
      break;
    }
    case 1:
      await daemon.leaseLost();
      break;
    default:
      await daemon.shutdownRequested();
      await daemon.leaseLost();
  }
  assert.equal(await daemon.end(), 0);
  daemon.assertNoViolations();
}

describe("the shard host through socat relays", () => {
  it("lives 200 shards at once, each correct", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const host = startHost(path);
    await host.ready;
    try {
      const lives = Array.from({ length: 200 }, async (_, n) => fullLife(await relay(path), n));
      const results = await Promise.allSettled(lives);
      const failed = results.flatMap((r, n) => r.status === "rejected" ? [`${shardId(n)}: ${r.reason}`] : []);
      assert.deepEqual(failed, []);
      // console.log of user code: on the host's stderr, tagged with the shard.
      assert.match(host.stderr(), /^\[shardId-000000000007\] batch of 3 records$/m);
      assert.match(host.stderr(), /^\[shardId-000000000199\] batch of 3 records$/m);
    } finally {
      host.signal("SIGTERM");
    }
    assert.equal(await host.exited, 0);
    assert.doesNotMatch(host.stderr(), /ERROR/);
  });

  it("ends only the session of a processor that throws, as a child's exit would", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const host = startHost(path);
    await host.ready;
    try {
      const others = await Promise.all([0, 1, 2, 3].map(() => relay(path)));
      for (const [n, daemon] of others.entries()) await daemon.initialize({ shardId: shardId(n) });
      await failingSession(path, shardId(9, "-throws"), "x");
      await failingSession(path, shardId(8, "-throws-later"), "y");
      // The others go on, every life complete.
      for (const [n, daemon] of others.entries()) {
        const records = new RecordBuilder().build(["z"]);
        await daemon.processRecords(records);
        await daemon.shardEnded();
        assert.equal(await daemon.end(), 0);
        assert.equal(daemon.checkpoint?.sequenceNumber, "SHARD_END", shardId(n));
        daemon.assertNoViolations();
      }
      // The error names the shard, and the session was closed without a status.
      assert.match(host.stderr(), /ERROR kcl-host: .*processor of shardId-000000000009-throws refuses its batch/);
      assert.match(host.stderr(), /Uncaught error in the record processor of shardId-000000000008-throws-later: timer/);
      assert.match(
        host.stderr(),
        /ERROR kcl-host: Closed the connection without a status.* shardId=shardId-000000000009-throws/,
      );
      const after = await relay(path);
      await fullLife(after, 0);
    } finally {
      host.signal("SIGTERM");
    }
    assert.equal(await host.exited, 0);
  });

  it("ends only the session whose processor leaves a promise rejected and unhandled (Bun: the whole host)", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const host = startHost(path);
    await host.ready;
    const onBun = process.versions.bun !== undefined;
    try {
      const others = await Promise.all([0, 1].map(() => relay(path)));
      for (const [n, daemon] of others.entries()) await daemon.initialize({ shardId: shardId(n) });
      await failingSession(path, shardId(7, "-rejects-detached"), "x");
      if (onBun) {
        // Bun 1.4 runs the unhandledRejection listener outside the async context the promise was rejected in
        // (oven-sh/bun#40223): no session can be named, so the host exits and every session ends without a status.
        assert.equal(await host.exited, 1);
        assert.match(host.stderr(), /ERROR kcl-host: Uncaught error that no session can be named for.*detached work/s);
        for (const daemon of others) {
          await assert.rejects(
            daemon.processRecords(new RecordBuilder().build(["z"])),
            (error) => error instanceof FakeDaemonError && error.kind === "child-exited",
          );
        }
      } else {
        assert.match(
          host.stderr(),
          /Uncaught error in the record processor of shardId-000000000007-rejects-detached: detached work of/,
        );
        for (const [n, daemon] of others.entries()) {
          await daemon.processRecords(new RecordBuilder().build(["z"]));
          await daemon.leaseLost();
          assert.equal(await daemon.end(), 0, shardId(n));
          daemon.assertNoViolations();
        }
      }
    } finally {
      if (host.child.exitCode === null) host.signal("SIGTERM");
    }
    assert.equal(await host.exited, onBun ? 1 : 0);
  });

  it("serves through several host processes on one socket, passed on as kcl-launcher --host does", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const server = createServer();
    const bound = await bindPrivateSocket(server, path);
    const counts = await createSessionCounts(bound.path, 2);
    const hosts = [0, 1].map((i) => startHost(path, undefined, listeningDescriptor(server), counts.environment(i)));
    await Promise.all(hosts.map((host) => host.ready));
    server.close(); // the hosts hold the socket now
    const initialized = () => hosts.map((host) => host.stderr().match(/INFO kcl-host: Initializing /g)?.length ?? 0);
    try {
      // Live sessions: each process publishes how many it holds, in its slot of the counts file.
      const live = await Promise.all(Array.from({ length: 10 }, () => relay(path)));
      for (const [n, daemon] of live.entries()) await daemon.initialize({ shardId: shardId(n) });
      // The hosts' log lines reach this process through pipes, after the replies.
      await until(() => Promise.resolve(initialized().reduce((a, b) => a + b) === 10));
      assert.deepEqual(await readCounts(counts.path), initialized());
      for (const daemon of live) {
        await daemon.leaseLost();
        assert.equal(await daemon.end(), 0);
      }
      await until(async () => (await readCounts(counts.path)).every((count) => count === 0));

      const results = await Promise.allSettled(
        Array.from({ length: 40 }, async (_, n) => fullLife(await relay(path), n)),
      );
      assert.deepEqual(results.filter((result) => result.status === "rejected"), []);
      // Every session was served by one of the two processes.
      await until(() => Promise.resolve(initialized().reduce((a, b) => a + b) === 50));
    } finally {
      for (const host of hosts) host.signal("SIGTERM");
    }
    assert.deepEqual(await Promise.all(hosts.map((host) => host.exited)), [0, 0]);
    assert.deepEqual(await readCounts(counts.path), [0, 0]);
    // The socket and the counts file are the supervisor's: the hosts leave them.
    assert.ok((await lstat(path)).isSocket());
    await bound.remove();
    await counts.remove();
  });

  it("serves kcl-local's shards through socat relays, every record checkpointed", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const host = startHost(path);
    await host.ready;
    try {
      const options = ["--shards", "20", "--records", "500", "--batch", "100", "--json", "--quiet"];
      const [command, args] = childCommand(repoPath("src/local/mod.ts"), ["-A"], options);
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(command, [...args, "--", "socat", "STDIO", `UNIX-CONNECT:${path}`], { stdio: "pipe" });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (text: string) => void (stdout += text));
        child.stderr.setEncoding("utf8").on("data", (text: string) => void (stderr += text));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout) as {
        ok: boolean;
        total: Record<string, number>;
        shards: { ended: string | null }[];
      };
      assert.equal(summary.ok, true);
      assert.deepEqual(summary.total, { delivered: 10_000, checkpointed: 10_000, batches: 100, violations: 0 });
      assert.equal(summary.shards.length, 20);
      assert.deepEqual(new Set(summary.shards.map((shard) => shard.ended)), new Set(["shard-end"]));
    } finally {
      host.signal("SIGTERM");
    }
    assert.equal(await host.exited, 0);
  });

  it("survives a host restart: live sessions end as crashed children, waiting relays connect to the new host", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const first = startHost(path);
    await first.ready;
    const live = await relay(path);
    await live.initialize({ shardId: shardId(1) });
    first.signal("SIGKILL");
    await first.exited;
    await assert.rejects(
      live.processRecords(new RecordBuilder().build(["lost"])),
      (error) => error instanceof FakeDaemonError && error.kind === "child-exited",
    );
    // Without retry a relay fails at once while the host is down (the daemon then stops, as for a crashed child).
    const refused = await relay(path);
    await assert.rejects(
      refused.initialize(),
      (error) => error instanceof FakeDaemonError && error.kind === "child-exited",
    );
    assert.notEqual(await refused.end().catch(() => 1), 0);
    // Relays that retry wait for the host: started now, they are served once it is back.
    const waiting = await Promise.all([0, 1, 2].map(() => relay(path, ",retry=100,interval=0.1")));
    const lives = waiting.map((daemon, n) => fullLife(daemon, n));
    const second = startHost(path); // the dead host's socket is still there: replaced
    await second.ready;
    try {
      await Promise.all(lives);
    } finally {
      second.signal("SIGTERM");
    }
    assert.equal(await second.exited, 0);
  });
});
