/**
 * Runs on Deno with the permissions its test grants: spawns `<deno> --version`
 * (the Deno executable given as the argument) through FakeDaemon.spawn, sends `initialize`, and writes the first line of the
 * error it fails with to stdout (or `started` when nothing failed).
 */

import process from "node:process";
import { FakeDaemon } from "../../../src/testing/mod.ts";

try {
  const daemon = await FakeDaemon.spawn(process.argv[2] ?? "deno", ["--version"]);
  await daemon.initialize();
  process.stdout.write("started\n");
} catch (error) {
  process.stdout.write(`${(error as Error).message.split("\n")[0]}\n`);
}
