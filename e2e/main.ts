/**
 * `deno task e2e`: the real KCL MultiLangDaemon, started by the package's `kcl-launcher` from the packed npm tarball
 * installed in a scratch project, runs the README's consumer and the batch example against kinesis-local and dynalite.
 *
 *     deno task e2e                       # CI: every scenario on Node with KCL 3.1.3, scenario a on Deno, Bun, 2.5.4,
 *                                         # a-host (the consumer as a shard host) on Node
 *     deno task e2e --only a:node:3.1.3   # one scenario:runtime:release (repeatable)
 *     deno task e2e --only e-host:deno    # a, b and e with a shard host: a-host, b-host, e-host
 *     deno task e2e --all                 # scenario x runtime x release; writes e2e/RESULTS.md
 *     deno task e2e --keep                # keep the scratch folder (logs, properties files)
 *
 * Needs Java 17+, the pinned tools (deno task tools) and the
 * e2e dependencies (npm ci --prefix e2e). Jars come from the launcher's cache, downloaded when missing.
 *
 * @module
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeProject, readmeBlock, REPO } from "./project.ts";
import { LOCAL_PROPERTIES } from "./stack.ts";
import { type Context, type Outcome, SCENARIOS } from "./scenarios.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    all: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

interface Job {
  scenario: string;
  runtime: string;
  release: string;
  mode?: string;
}

const RUNTIMES = ["node", "deno", "bun"];
const RELEASES = ["3.1.3", "2.5.4"];

function parseJob(text: string): Job {
  const [scenario, runtime = "node", release = "3.1.3", mode] = text.split(":");
  if (!SCENARIOS[scenario!]) {
    throw new Error(
      `Unknown scenario ${scenario}: one of ${Object.keys(SCENARIOS).join(", ")}`,
    );
  }
  return { scenario: scenario!, runtime, release, ...(mode ? { mode } : {}) };
}

/**
 * Scenarios CI leaves to --all: g-exit takes the daemon down the same way as g-throw (a child that ends without a
 * status: System.exit(1)) and, like every crash in KCL 3.x, costs a 2-minute wait for the leader lock.
 */
const CI_SKIPS = new Set(["g-exit"]);

/** The shard-host variants (issue 19): CI runs a-host on Node; --all runs them on every runtime with KCL 3.1.3 only. */
const isHost = (scenario: string) => scenario.endsWith("-host");

let jobs: Job[];
if (values.only) {
  jobs = values.only.map(parseJob);
} else if (values.all) {
  jobs = [];
  for (const release of RELEASES) {
    for (const runtime of RUNTIMES) {
      for (const scenario of Object.keys(SCENARIOS)) {
        if (isHost(scenario) && release !== "3.1.3") continue;
        jobs.push({ scenario, runtime, release });
      }
    }
  }
  jobs.push({
    scenario: "a",
    runtime: "node",
    release: "3.1.3",
    mode: "CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X",
  });
} else {
  jobs = [
    ...Object.keys(SCENARIOS).filter((scenario) => !CI_SKIPS.has(scenario) && !isHost(scenario)).map((scenario) => ({
      scenario,
      runtime: "node",
      release: "3.1.3",
    })),
    { scenario: "a", runtime: "deno", release: "3.1.3" },
    { scenario: "a", runtime: "bun", release: "3.1.3" },
    { scenario: "a", runtime: "node", release: "2.5.4" },
    { scenario: "a-host", runtime: "node", release: "3.1.3" },
  ];
}

// The README's local properties block is examples/local.properties, which every scenario runs.
if (
  readmeBlock(
    "# Daemon properties for the local stack: kinesis-local and dynalite from npm, no AWS account, no Docker (README:",
  ) !== readFileSync(LOCAL_PROPERTIES, "utf8")
) {
  console.error("The README's local.properties block differs from examples/local.properties: make them the same");
  process.exit(1);
}

const started = Date.now();
const workDir = mkdtempSync(join(tmpdir(), "kcl-e2e-"));
const tools = join(REPO, ".ci", "tools", "node_modules", ".bin");
const path = `${tools}:${process.env.PATH}`;
process.env.PATH = path;
console.log(`e2e: ${jobs.length} runs; scratch folder ${workDir}`);
const project = makeProject(workDir);
console.log(
  `  packed and installed ${project.tarball} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

interface Result extends Job {
  ok: boolean;
  seconds: number;
  outcome?: Outcome;
  error?: string;
}
const results: Result[] = [];
for (const [i, job] of jobs.entries()) {
  const label = `${job.scenario} on ${job.runtime} with KCL ${job.release}${job.mode ? ` (${job.mode})` : ""}`;
  const ctx: Context = {
    project,
    runtime: job.runtime,
    release: job.release,
    mode: job.mode,
    workDir,
    path,
    id: `${i}${Date.now().toString(36)}`,
  };
  const jobStarted = Date.now();
  try {
    const outcome = await SCENARIOS[job.scenario]!(ctx);
    const seconds = (Date.now() - jobStarted) / 1000;
    results.push({ ...job, ok: true, seconds, outcome });
    const first = outcome.firstProcessRecordsMs.map((ms) => ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `  ok   ${label} ${seconds.toFixed(1)} s (first processRecords: ${first.join(", ")}; ${
        outcome.notes.join("; ")
      })`,
    );
  } catch (error) {
    const seconds = (Date.now() - jobStarted) / 1000;
    results.push({
      ...job,
      ok: false,
      seconds,
      error: (error as Error).message.split("\n")[0]!,
    });
    console.log(
      `  FAIL ${label} ${seconds.toFixed(1)} s\n${(error as Error).message}`,
    );
  }
}

const failed = results.filter((r) => !r.ok);
const total = (Date.now() - started) / 1000;
console.log(
  `e2e: ${results.length - failed.length} of ${results.length} passed in ${total.toFixed(1)} s`,
);

if (values.all) {
  const rows = results.map((r) => {
    const first = r.outcome?.firstProcessRecordsMs.map((ms) => ms === undefined ? "-" : (ms / 1000).toFixed(1)).join(
      ", ",
    ) ?? "-";
    const notes = r.ok ? r.outcome!.notes.join("; ") : r.error!.replaceAll("|", "\\|");
    return `| ${r.scenario} | ${r.runtime} | ${r.release}${r.mode ? ` ${r.mode}` : ""} | ${r.ok ? "pass" : "FAIL"} | ${
      r.seconds.toFixed(0)
    } | ${first} | ${notes} |`;
  });
  const table = [
    "| scenario | runtime | KCL | result | seconds | start to first processRecords (s), per daemon run | notes |",
    "| -------- | ------- | --- | ------ | ------: | ------------------------------------------------ | ----- |",
    ...rows,
  ].join("\n");
  const file = join(REPO, "e2e", "RESULTS.md");
  const text = readFileSync(file, "utf8");
  const start = text.indexOf("<!-- results -->");
  const end = text.indexOf("<!-- /results -->");
  if (start === -1 || end === -1) {
    throw new Error("e2e/RESULTS.md has no <!-- results --> ... <!-- /results --> markers");
  }
  const stamp = `deno task e2e --all, ${new Date().toISOString().slice(0, 10)}, ${(total / 60).toFixed(1)} min:`;
  writeFileSync(file, `${text.slice(0, start)}<!-- results -->\n${stamp}\n\n${table}\n${text.slice(end)}`);
  console.log("wrote the results table into e2e/RESULTS.md");
}
if (!values.keep && failed.length === 0) {
  rmSync(workDir, { recursive: true, force: true });
}
// Exit now: a failed scenario was cut short and can leave a wait or a request behind that would hold the process open.
process.exit(failed.length === 0 ? 0 : 1);
