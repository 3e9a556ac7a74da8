/**
 * The children under test and how to start each.
 *
 * On Node every implementation runs as compiled JavaScript (the form a user
 * runs, see `node_build.ts`); `ours/node+ts*` run the TypeScript sources for
 * comparison.
 *
 * @module
 */

import { join } from "node:path";
import type { ChildCommand } from "./daemon_session.ts";
import type { NodeJs } from "./node_build.ts";
import type { Runtimes } from "./tools.ts";

/** Which implementation a child runs. */
export type Implementation = "ours" | "floor" | "aws-kcl" | "proto";

/** The workloads of the bench. */
export type WorkloadId = "W1" | "W2" | "W3" | "W4" | "W5";

/** A child under test. */
export interface Child {
  /** e.g. `ours/deno`, `ours/node+ts-cache`. */
  readonly id: string;
  readonly implementation: Implementation;
  readonly runtime: "deno" | "bun" | "node";
  /** The workloads it runs in. */
  readonly workloads: ReadonlySet<WorkloadId>;
  /** Runtime flags that trade CPU for memory (W5 only; skipped by `--quick` unless named by `--only`). */
  readonly flags: readonly string[];
  command(everyRecord: boolean): ChildCommand;
}

const ALL: ReadonlySet<WorkloadId> = new Set(["W1", "W2", "W3", "W4", "W5"]);
const THROUGHPUT: ReadonlySet<WorkloadId> = new Set(["W1", "W2", "W3"]);
const START: ReadonlySet<WorkloadId> = new Set(["W4"]);
const START_AND_DENSE: ReadonlySet<WorkloadId> = new Set(["W4", "W5"]);
const DENSE: ReadonlySet<WorkloadId> = new Set(["W5"]);

/** The heap limits that trade CPU for memory (README, many shards per host). */
export const SMALL_HEAP = ["--max-semi-space-size=4", "--max-old-space-size=64"];

/**
 * Node (V8) starts with this old-generation limit, fixed. Without it V8 lowers the first limit by the average survival
 * ratio at every scavenge before the first full collection; ours' module loading adds two scavenges at start-up (36%
 * and 69% surviving), so its first 20 MB batch meets a limit of ~29 MB (the floor's: ~43) and can take a second full
 * marking while the batch is live (bench/README.md, "Node per MiB in W5").
 */
export const OLD_SPACE = ["--initial-old-space-size=64"];

/** Where the children's programs are. */
export interface ChildPrograms {
  readonly runtimes: Runtimes;
  /** Our children and the peers compiled to JavaScript for Node. */
  readonly nodeJs: NodeJs;
  /** With `--proto`: the changed copy of the module, and its Node JavaScript. */
  readonly proto?: { readonly dir: string; readonly nodeJs: NodeJs };
  /**
   * With `--profile`: Node and Bun children write `--cpu-prof` profiles and
   * Deno children V8 tick logs (`--prof`; read them with `node --prof-process`) there.
   */
  readonly profileDir?: string;
}

/** Every child, in the order they run and are reported. */
export function children(root: string, programs: ChildPrograms): Child[] {
  const { runtimes, nodeJs, proto, profileDir } = programs;
  const source = (name: string) =>
    name === "proto" ? join(proto!.dir, "bench/children/ours.ts") : `bench/children/${name}.ts`;
  const flag = (everyRecord: boolean) => (everyRecord ? ["--every-record"] : []);
  const denoProfile = profileDir === undefined
    ? []
    : [`--v8-flags=--prof,--prof-sampling-interval=100,--logfile=${profileDir}/deno-%p.log`];
  // Fine sampling (50-100 µs): a small action's round trip takes ~150 µs.
  const cpuProfile = profileDir === undefined
    ? []
    : ["--cpu-prof", "--cpu-prof-interval=50", `--cpu-prof-dir=${profileDir}`];
  const deno = (name: string, flags: string[] = [], extra: string[] = []) => (everyRecord: boolean): ChildCommand => ({
    command: runtimes.deno,
    args: ["run", "--quiet", "--no-prompt", ...flags, ...denoProfile, source(name), ...flag(everyRecord), ...extra],
  });
  const plain = (
    path: string,
    script: string,
    options: { env?: Record<string, string>; extra?: string[]; flags?: string[] } = {},
  ) =>
  (everyRecord: boolean): ChildCommand => ({
    command: path,
    args: [...(options.flags ?? []), ...cpuProfile, script, ...flag(everyRecord), ...(options.extra ?? [])],
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const compileCache = { NODE_COMPILE_CACHE: join(root, "bench/.peers/node-compile-cache") };
  const child = (
    implementation: Implementation,
    runtime: Child["runtime"],
    command: Child["command"],
    workloads: ReadonlySet<WorkloadId>,
    suffix = "",
    flags: string[] = [],
  ): Child => ({ id: `${implementation}/${runtime}${suffix}`, implementation, runtime, workloads, flags, command });
  const { bun, node } = runtimes;
  const protoChildren = proto === undefined ? [] : [
    child("proto", "deno", deno("proto"), ALL),
    child("proto", "bun", plain(bun, source("proto")), ALL),
    child("proto", "node", plain(node, proto.nodeJs.ours), ALL),
  ];
  return [
    ...protoChildren,
    child("ours", "deno", deno("ours"), ALL),
    child("floor", "deno", deno("floor"), ALL),
    child("ours", "bun", plain(bun, source("ours")), ALL),
    child("floor", "bun", plain(bun, source("floor")), ALL),
    // The stdout guard's work alone (issue 14: its start-up cost on Bun).
    child("floor", "bun", plain(bun, source("floor"), { extra: ["--guard"] }), START_AND_DENSE, "+guard"),
    child("ours", "node", plain(node, nodeJs.ours), ALL),
    child("ours", "node", plain(node, nodeJs.ours, { env: compileCache }), START, "+cache"),
    child("ours", "node", plain(node, source("ours")), START, "+ts"),
    child("ours", "node", plain(node, source("ours"), { env: compileCache }), START_AND_DENSE, "+ts-cache"),
    child("floor", "node", plain(node, nodeJs.floor), ALL),
    child("floor", "node", plain(node, nodeJs.floor, { env: compileCache }), START, "+cache"),
    // Node only: where the W1 memory gap is (bench/README.md).
    child("floor", "node", plain(node, nodeJs.floor, { extra: ["--hold-batch"] }), THROUGHPUT, "+hold"),
    // Node only: the floor answering from a microtask, as an awaited checkpoint resumes (W2, W3 on Node).
    child("floor", "node", plain(node, nodeJs.floor, { extra: ["--microtask"] }), THROUGHPUT, "+microtask"),
    child("aws-kcl", "node", plain(node, nodeJs.awsKcl), ALL),
    child("aws-kcl", "node", plain(node, nodeJs.awsKcl, { env: compileCache }), START, "+cache"),
    // The floor shaped like a consumer of our API: what the API's shape costs apart from the library (W5).
    child("floor", "deno", deno("floor", [], ["--api"]), DENSE, "+api"),
    child("floor", "bun", plain(bun, source("floor"), { extra: ["--api"] }), DENSE, "+api"),
    child("floor", "node", plain(node, nodeJs.floor, { extra: ["--api"] }), DENSE, "+api"),
    // Ours with a handler that returns its checkpoint's promise instead of awaiting it (no `async`): what that saves.
    child("ours", "deno", deno("ours", [], ["--sync"]), DENSE, "+sync"),
    child("ours", "bun", plain(bun, source("ours"), { extra: ["--sync"] }), DENSE, "+sync"),
    child("ours", "node", plain(node, nodeJs.ours, { extra: ["--sync"] }), DENSE, "+sync"),
    // Runtime flags that trade CPU for memory, each against the plain child above.
    child("ours", "deno", deno("ours", [`--v8-flags=${SMALL_HEAP.join(",")}`]), DENSE, "+small-heap", SMALL_HEAP),
    // Deno lets a program collect only with this flag; the library then does what it does on Node and Bun.
    child("ours", "deno", deno("ours", ["--v8-flags=--expose-gc"]), DENSE, "+expose-gc", ["--expose-gc"]),
    child("ours", "node", plain(node, nodeJs.ours, { flags: SMALL_HEAP }), DENSE, "+small-heap", SMALL_HEAP),
    child("ours", "node", plain(node, nodeJs.ours, { flags: ["--jitless"] }), DENSE, "+jitless", ["--jitless"]),
    child("ours", "node", plain(node, nodeJs.ours, { flags: OLD_SPACE }), DENSE, "+old-space", OLD_SPACE),
    child("ours", "bun", plain(bun, source("ours"), { flags: ["--smol"] }), DENSE, "+smol", ["--smol"]),
  ];
}
