/**
 * The shard host's small parts: the relay read out of `executableName`
 * (what `kcl-launcher --host` and `--check` rely on), the coalesced full
 * collection, and the session counts that spread connections over host
 * processes.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcceptBalance, createSessionCounts, overShare } from "../src/host/accept_balance.ts";
import { CoalescedCollector } from "../src/host/_collector.ts";
import { relayOf } from "../src/launcher/_relay_command.ts";

describe("relayOf", () => {
  it("reads socat's UNIX-CONNECT address, options and relative paths included", () => {
    assert.deepEqual(relayOf("socat STDIO UNIX-CONNECT:/run/orders/kcl.sock", "/srv"), {
      program: "socat",
      socketPath: "/run/orders/kcl.sock",
      problem: undefined,
    });
    assert.equal(
      relayOf("/usr/bin/socat - UNIX-CONNECT:kcl.sock,retry=100,interval=0.1", "/srv")?.socketPath,
      "/srv/kcl.sock",
    );
    assert.equal(relayOf("socat STDIO UNIX-CLIENT:/a/b.sock", "/")?.socketPath, "/a/b.sock");
    assert.equal(relayOf("socat -b 65536 STDIO UNIX-CONNECT:/a/b.sock", "/")?.socketPath, "/a/b.sock");
  });

  it("reads OpenBSD nc's -U path, and says that nc without -N never ends a session", () => {
    assert.deepEqual(relayOf("nc -N -U /run/kcl.sock", "/"), {
      program: "nc",
      socketPath: "/run/kcl.sock",
      problem: undefined,
    });
    assert.equal(relayOf("nc -NU /run/kcl.sock", "/")?.problem, undefined);
    assert.match(
      relayOf("nc -U /run/kcl.sock", "/")?.problem ?? "",
      /without -N, nc never tells the host.*`executableName = nc -N -U \/run\/kcl\.sock`/,
    );
  });

  it("finds no relay in a consumer command or a socat over TCP", () => {
    assert.equal(relayOf("deno run consumer.ts", "/"), undefined);
    assert.equal(relayOf("socat STDIO TCP:127.0.0.1:9000", "/"), undefined);
    assert.equal(relayOf("nc 127.0.0.1 9000", "/"), undefined);
    assert.equal(relayOf("", "/"), undefined);
  });
});

describe("CoalescedCollector", () => {
  it("runs one collection for many requests, and one more for requests during its interval", async () => {
    let runs = 0;
    let ran = () => {};
    const collector = new CoalescedCollector(() => {
      runs++;
      ran();
    }, 50);
    const first = new Promise<void>((resolve) => ran = resolve);
    for (let i = 0; i < 100; i++) collector.request();
    await first;
    assert.equal(runs, 1);
    const second = new Promise<void>((resolve) => ran = resolve);
    for (let i = 0; i < 100; i++) collector.request();
    await second;
    assert.equal(runs, 2);
    collector.request();
    collector.cancel();
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(runs, 2, "a cancelled request never runs");
  });
});

describe("overShare", () => {
  it("is true only for a process holding more than the total over the processes, rounded up", () => {
    assert.equal(overShare(1, [1, 0]), false);
    assert.equal(overShare(2, [2, 0]), true);
    assert.equal(overShare(2, [2, 1]), false);
    assert.equal(overShare(3, [3, 1]), true);
    assert.equal(overShare(4, [4, 1, 1]), true);
    assert.equal(overShare(2, [2, 1, 1]), false);
    assert.equal(overShare(7, [7]), false, "one process holds every session");
  });
});

describe("AcceptBalance and the counts file", () => {
  it("publishes each process's live sessions in its slot, and zero once closed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kcl-counts-"));
    try {
      const counts = await createSessionCounts(join(dir, "kcl.sock"), 3);
      assert.equal(counts.path, join(dir, "kcl.sock.sessions"));
      assert.equal((await stat(counts.path)).mode & 0o777, 0o600);
      const balances = [0, 1, 2].map((i) => {
        const env = counts.environment(i);
        return AcceptBalance.open((name) => env[name]);
      });
      const slots = async () => [...new Uint32Array(new Uint8Array(await readFile(counts.path)).buffer)];
      balances[0]!.accepted(1);
      balances[2]!.publish(5);
      assert.deepEqual(await slots(), [1, 0, 5]);
      for (const balance of balances) balance.close();
      assert.deepEqual(await slots(), [0, 0, 0]);
      await counts.remove();
      await assert.rejects(stat(counts.path), { code: "ENOENT" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a counts file it cannot open, or a slot outside it, naming the variable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kcl-counts-"));
    try {
      const missing = join(dir, "gone.sessions");
      assert.throws(
        () => AcceptBalance.open((name) => ({ KCL_HOST_COUNTS_FILE: missing, KCL_HOST_INDEX: "0" })[name]),
        new RegExp(
          `^Error: Cannot share the sessions with the other host processes \\(KCL_HOST_COUNTS_FILE=${missing}\\)`,
        ),
      );
      const counts = await createSessionCounts(join(dir, "kcl.sock"), 2);
      for (const index of ["2", "-1", "x", undefined]) {
        assert.throws(
          () => AcceptBalance.open((name) => ({ ...counts.environment(0), KCL_HOST_INDEX: index })[name]),
          /KCL_HOST_INDEX must name a slot from 0 to 1/,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does nothing but pause without a counts file", () => {
    const balance = AcceptBalance.open(() => undefined);
    balance.accepted(3);
    balance.publish(2);
    balance.close();
  });
});
