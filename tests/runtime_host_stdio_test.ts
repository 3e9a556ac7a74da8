/**
 * The host adapter's stdio on the runtime running the tests, in a real
 * child over real pipes: what goes in comes out, in order, whichever way
 * it is read or written.
 */

import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childCommand, repoPath } from "./support/child_command.ts";

/** Feeds `input` to the echo child in chunks of awkward sizes and returns its stdout. */
async function echo(input: string, extraArgs: string[]): Promise<string> {
  const [command, args] = childCommand(repoPath("tests/fixtures/host_stdio_echo.ts"));
  const child = spawn(command, [...args, ...extraArgs], { stdio: ["pipe", "pipe", "inherit"] });
  const stdout: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => void stdout.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const bytes = new TextEncoder().encode(input);
  for (let offset = 0, size = 1; offset < bytes.length; offset += size, size = (size * 7) % 70_001 + 1) {
    child.stdin.write(bytes.subarray(offset, offset + size));
  }
  child.stdin.end();
  assert.equal(await exited, 0);
  return Buffer.concat(stdout).toString("utf8");
}

const input = Array.from({ length: 20_000 }, (_, i) => `line ${i} é€😀\n`).join("");
const expected = input + "x".repeat(200_000) + "\nsmall 1\nsmall 2\nthrough the stream\n";

describe("the host's stdin and stdout in a real child", () => {
  it("read straight from the runtime: every byte, in order", async () => {
    assert.equal(await echo(input, []), expected);
  });

  it("read through the stream view: every byte, in order", async () => {
    assert.equal(await echo(input, ["--stream"]), expected);
  });
});
