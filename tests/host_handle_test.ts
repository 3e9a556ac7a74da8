/**
 * The handle `serveShards` returns, in process: live and served counts,
 * stop (no new connections, live ones go on), close (bounded: sessions
 * still live are cut without a status).
 */

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { serveShards } from "../src/host/mod.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const INITIALIZE =
  '{"action":"initialize","shardId":"shardId-000000000001","sequenceNumber":null,"subSequenceNumber":null}\n';

/** A raw connection that sends `text` and collects what comes back until the host closes it. */
function open(path: string, text: string): { socket: Socket; replies: Promise<string>; first: Promise<string> } {
  const socket = connect(path);
  let replies = "";
  let firstLine: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => firstLine = resolve);
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    replies += chunk;
    if (replies.includes("\n")) firstLine(replies.slice(0, replies.indexOf("\n")));
  });
  socket.on("error", () => {});
  socket.write(text);
  return { socket, first, replies: new Promise((resolve) => socket.on("close", () => resolve(replies))) };
}

describe("the shard host's handle", () => {
  it("counts sessions, stops accepting while live sessions go on, and cuts what is left at close", async () => {
    const path = join(await tempDir("kcl-host-"), "kcl.sock");
    const log: string[] = [];
    const host = await serveShards(() => ({ processRecords() {} }), {
      path,
      ownProcess: false,
      log: (level, message) => void log.push(`${level} ${message}`),
    });
    const live = open(host.path, INITIALIZE);
    assert.equal(await live.first, '{"action":"status","responseFor":"initialize"}');
    assert.equal(host.sessions, 1);
    await host.stop();
    // No new connection once stopped (the socket file is gone) ...
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(host.path);
      socket.on("connect", () => resolve("connected"));
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    assert.equal(refused, "ENOENT");
    // ... but the live session still answers.
    live.socket.write('{"action":"leaseLost"}\n');
    // close() waits, at most its bound, then cuts the session without a status.
    assert.equal(await host.close(200), 1);
    assert.equal(
      await live.replies,
      '{"action":"status","responseFor":"initialize"}\n{"action":"status","responseFor":"leaseLost"}\n',
    );
    assert.equal(host.sessions, 0);
    assert.equal(host.served, 1);
    assert.ok(log.includes("warn Closing sessions still live, without a status"), log.join("\n"));
  });

  it("refuses a factory that is not a function and a missing path", async () => {
    await assert.rejects(
      serveShards(undefined as never, { path: "/x" }),
      new TypeError("Cannot serve shards: the factory is not a function"),
    );
    await assert.rejects(
      serveShards(() => ({ processRecords() {} }), { path: "" }),
      /options\.path must name the Unix socket/,
    );
  });
});
