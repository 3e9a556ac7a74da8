/**
 * `run()` in a real child: uncaught errors in user code and a bad log level
 * are reported on stderr, never silently.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeDaemon, type FakeDaemonError, RecordBuilder } from "../src/testing/mod.ts";
import { childCommand, repoPath } from "./support/child_command.ts";

async function spawn(fixture: string, env?: Record<string, string>): Promise<{ daemon: FakeDaemon; stderr: string[] }> {
  const stderr: string[] = [];
  // Deno reads the environment only with --allow-env.
  const [command, args] = childCommand(repoPath(fixture), env === undefined ? [] : ["--allow-env"]);
  const daemon = await FakeDaemon.spawn(command, args, {
    onStderr: (line) => void stderr.push(line),
    ...(env === undefined ? {} : { env }),
  });
  return { daemon, stderr };
}

describe("run() in a real child", () => {
  for (const what of ["timer", "promise"]) {
    it(`logs an uncaught error from a ${what} with its stack and exits 1 without a status`, async () => {
      const { daemon, stderr } = await spawn("tests/fixtures/uncaught_consumer.ts");
      await daemon.initialize();
      await assert.rejects(daemon.processRecords(new RecordBuilder().build([what])), (error: FakeDaemonError) => {
        assert.equal(error.kind, "child-exited");
        return true;
      });
      assert.equal(await daemon.end(), 1);
      const text = stderr.join("\n");
      assert.match(text, /ERROR kcl: Uncaught error in the record processor; exiting without a status/);
      assert.match(text, what === "timer" ? /SyntaxError/ : /nobody awaited this/);
      assert.match(text, /^\s+at /m, "with the stack, one frame per line");
    });
  }

  it("enforces maxLineLength over the runtime's native stdio (run() hands it to the session)", async () => {
    const { daemon, stderr } = await spawn("tests/fixtures/capped_consumer.ts");
    await daemon.initialize();
    assert.equal((await daemon.processRecords(new RecordBuilder().build(["small"]))).responseFor, "processRecords");
    await assert.rejects(
      daemon.processRecords(new RecordBuilder().build(["x".repeat(5000)])),
      (error: FakeDaemonError) => {
        assert.equal(error.kind, "child-exited");
        return true;
      },
    );
    assert.equal(await daemon.end(), 1);
    assert.match(stderr.join("\n"), /Cannot read daemon message: a line exceeds the maximum length of 2000 characters/);
  });

  it("warns once about an invalid KCL_LOG_LEVEL and keeps the default level", async () => {
    const { daemon, stderr } = await spawn("examples/consumer.ts", { KCL_LOG_LEVEL: "loud" });
    await daemon.initialize();
    await daemon.leaseLost();
    assert.equal(await daemon.end(), 0);
    const warnings = stderr.filter((line) => line.includes("KCL_LOG_LEVEL"));
    assert.equal(warnings.length, 1, stderr.join("\n"));
    assert.match(
      warnings[0]!,
      /WARN kcl: Ignoring KCL_LOG_LEVEL: use debug, info, warn, error or silent KCL_LOG_LEVEL=loud/,
    );
    assert.ok(stderr.some((line) => / INFO kcl: Initializing/.test(line)), "info is still logged");
  });
});
