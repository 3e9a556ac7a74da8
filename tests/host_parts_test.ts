/**
 * The shard host's small parts: the relay read out of `executableName`
 * (what `kcl-launcher --host` and `--check` rely on) and the coalesced full
 * collection.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
