/**
 * The children under test and how to start each.
 *
 * @module
 */

import { join } from "node:path";
import type { ChildCommand } from "./daemon_session.ts";
import { JS_CHILDREN, type Runtimes } from "./tools.ts";

/** Which implementation a child runs. */
export type Implementation = "ours" | "floor" | "aws-kcl" | "proto";

/** A child under test. */
export interface Child {
  /** e.g. `ours/deno`, `ours/node+cache`. */
  readonly id: string;
  readonly implementation: Implementation;
  readonly runtime: "deno" | "bun" | "node";
  /** Only in the start-up workload (W4). */
  readonly startupOnly: boolean;
  command(everyRecord: boolean): ChildCommand;
}

/**
 * Every child, in the order they run and are reported. With `profileDir`,
 * Node and Bun children write `--cpu-prof` profiles and Deno children V8 tick logs
 * (`--prof`; read them with `node --prof-process`) there. With `protoDir`
 * (a changed copy of the module with `bench/children/ours.ts` inside),
 * `proto/<runtime>` children run it too, for before/after numbers. The `+js`
 * children run the same scripts compiled to JavaScript as the npm package
 * ships the library (`bench/tsconfig.js.json`, built by `prepareRuntimes`).
 */
export function children(root: string, runtimes: Runtimes, profileDir?: string, protoDir?: string): Child[] {
  const script = (name: string) =>
    name === "proto"
      ? join(protoDir!, "bench/children/ours.ts")
      : name.endsWith(".js")
      ? join(JS_CHILDREN, `bench/children/${name}`)
      : `bench/children/${name}.ts`;
  const flag = (everyRecord: boolean) => (everyRecord ? ["--every-record"] : []);
  const denoProfile = profileDir === undefined
    ? []
    : [`--v8-flags=--prof,--prof-sampling-interval=100,--logfile=${profileDir}/deno-%p.log`];
  // Fine sampling (50-100 µs): a small action's round trip takes ~150 µs.
  const cpuProfile = profileDir === undefined
    ? []
    : ["--cpu-prof", "--cpu-prof-interval=50", `--cpu-prof-dir=${profileDir}`];
  const deno = (name: string) => (everyRecord: boolean): ChildCommand => ({
    command: runtimes.deno,
    args: ["run", "--quiet", "--no-prompt", ...denoProfile, script(name), ...flag(everyRecord)],
  });
  const plain =
    (path: string, name: string, env?: Record<string, string>, extra: string[] = []) =>
    (everyRecord: boolean): ChildCommand => ({
      command: path,
      args: [...cpuProfile, script(name), ...flag(everyRecord), ...extra],
      ...(env === undefined ? {} : { env }),
    });
  const compileCache = { NODE_COMPILE_CACHE: join(root, "bench/.peers/node-compile-cache") };
  const child = (
    implementation: Implementation,
    runtime: Child["runtime"],
    command: Child["command"],
    suffix = "",
    startupOnly = false,
  ): Child => ({ id: `${implementation}/${runtime}${suffix}`, implementation, runtime, startupOnly, command });
  const proto = protoDir === undefined ? [] : [
    child("proto", "deno", deno("proto")),
    child("proto", "bun", plain(runtimes.bun, "proto")),
    child("proto", "node", plain(runtimes.node, "proto")),
    child("proto", "node", plain(runtimes.node, "proto", compileCache), "+cache", true),
  ];
  return [
    ...proto,
    child("ours", "deno", deno("ours")),
    child("floor", "deno", deno("floor")),
    child("ours", "bun", plain(runtimes.bun, "ours")),
    child("floor", "bun", plain(runtimes.bun, "floor")),
    child("ours", "node", plain(runtimes.node, "ours")),
    child("ours", "node", plain(runtimes.node, "ours", compileCache), "+cache", true),
    child("ours", "node", plain(runtimes.node, "ours.js"), "+js"),
    child("floor", "node", plain(runtimes.node, "floor")),
    child("floor", "node", plain(runtimes.node, "floor", compileCache), "+cache", true),
    child("floor", "node", plain(runtimes.node, "floor.js"), "+js", true),
    // Node only: where the W1 memory gap is (bench/README.md).
    child("floor", "node", plain(runtimes.node, "floor", undefined, ["--hold-batch"]), "+hold"),
    child("aws-kcl", "node", plain(runtimes.node, "aws_kcl")),
    child("aws-kcl", "node", plain(runtimes.node, "aws_kcl", compileCache), "+cache", true),
  ];
}
