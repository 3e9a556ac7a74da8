/**
 * A Deno child that says which permissions it runs with (a stderr line
 * `permissions env=… read=… run=… write=… net=…`, then `ready`) and exits
 * when its stdin closes.
 */

import process from "node:process";

interface DenoPermissions {
  permissions: { querySync(descriptor: { name: string }): { state: string } };
}

const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
const states = ["env", "read", "run", "write", "net"].map((name) =>
  `${name}=${deno?.permissions.querySync({ name }).state ?? "none"}`
);
process.stderr.write(`permissions ${states.join(" ")}\nready\n`);
process.stdin.resume();
process.stdin.on("end", () => process.stdin.pause());
