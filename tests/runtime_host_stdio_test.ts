/**
 * The host adapter's stdio on the runtime running the tests, in a real
 * child over real pipes: what goes in comes out, in order, whichever way
 * it is read or written.
 */

import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/**
 * Runs the echo child with `input` in a file as its stdin, or (`throughPipe`) with a shell's `cat file |` in front of
 * it, so that its stdin is a FIFO as the daemon's is (a `spawn` pipe is a socket on Node); returns its stdout.
 */
async function echoFromFile(input: string, throughPipe = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "kcl-stdin-file-"));
  const path = join(dir, "stdin");
  writeFileSync(path, input);
  const fd = openSync(path, "r");
  try {
    const [command, args] = childCommand(repoPath("tests/fixtures/host_stdio_echo.ts"));
    const child = throughPipe
      ? spawn("sh", ["-c", 'cat "$0" | exec "$@"', path, command, ...args], { stdio: ["ignore", "pipe", "inherit"] })
      : spawn(command, args, { stdio: [fd, "pipe", "inherit"] });
    const stdout: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => void stdout.push(chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(await exited, 0);
    return Buffer.concat(stdout).toString("utf8");
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true });
  }
}

describe("the host's native transport in a real child", () => {
  it("reads every line in order, whatever the chunks, and writes every reply in order", async () => {
    assert.equal(await echo(input), expected);
  });

  // The daemon's stdin is a pipe (on Node read straight from the descriptor); a file takes the runtime's own stdin.
  // On Node a line that goes on past a read lands in a growing arena, joined by a view (`_node_stdin.ts`).
  it("reads lines of megabytes among small ones, in reads of every size, and writes every reply in order", async () => {
    const big = (n: number) => `{"n":${n},"data":"${"abcé€😀".repeat(300_000 + n * 1_000)}"}`;
    const lines = ["small 0", big(1), big(2), "small 1", big(3), "small 2"];
    // Lines split anywhere, and a big line ending mid-chunk with the next one's start after it.
    const input = lines.join("\n") + "\n";
    assert.equal(await echo(input), input + "x".repeat(200_000) + "\nsmall 1\nsmall 2\n");
  });

  // On Node: a line longer than the 24 MiB read arena goes on in a second one, and the arena is reused after it.
  it("reads a line longer than 32 MiB between big and small lines", async () => {
    const line = (n: number, repeat: number) => `{"n":${n},"data":"${"0123456789abcdé€😀".repeat(repeat)}"}`;
    const lines = [line(1, 100_000), line(2, 1_500_000), "small", line(3, 200_000)];
    const input = lines.join("\n") + "\n";
    assert.ok(new TextEncoder().encode(lines[1]).length > 32 * 1024 * 1024);
    const output = await echo(input);
    assert.equal(output.length, input.length + 200_000 + "\nsmall 1\nsmall 2\n".length);
    assert.ok(
      output === input + "x".repeat(200_000) + "\nsmall 1\nsmall 2\n",
      "the echoed lines differ from the input",
    );
  });

  it("reads every line of a file given as stdin, and writes every reply in order", async () => {
    assert.equal(await echoFromFile(input), expected);
  });

  it("reads every line from a FIFO (a shell pipeline, as the daemon's pipe), and writes every reply in order", async () => {
    assert.equal(await echoFromFile(input, true), expected);
  });
});
