/**
 * A child that answers every action but never exits (a timer left behind,
 * stdin EOF ignored): the fake daemon's end() must report it. It writes
 * "ready" to stderr once it runs, so that tests can wait for it.
 */

import process from "node:process";
import { createInterface } from "node:readline";

setInterval(() => {}, 1000);
process.stderr.write("ready\n");
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const action = JSON.parse(line).action;
  process.stdout.write(JSON.stringify({ action: "status", responseFor: action }) + "\n");
}
