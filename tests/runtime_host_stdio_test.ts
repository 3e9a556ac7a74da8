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
async function echo(input: string): Promise<string> {
  const [command, args] = childCommand(repoPath("tests/fixtures/host_stdio_echo.ts"));
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
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

const input = Array.from({ length: 20_000 }, (_, i) => `line ${i} é€😀\r\n`).join("") + "last, unterminated";
const expected = input.replaceAll("\r\n", "\n") + "\n" + "x".repeat(200_000) + "\nsmall 1\nsmall 2\n";

describe("the host's native transport in a real child", () => {
  it("reads every line in order, whatever the chunks, and writes every reply in order", async () => {
    assert.equal(await echo(input), expected);
  });
});
