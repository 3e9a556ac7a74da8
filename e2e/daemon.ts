/**
 * One run of the real MultiLangDaemon: started by the package's `kcl-launcher` bin from the scratch project (as a user
 * runs it), or, for a KCL release the launcher does not offer, by `java` with a classpath Maven resolved (harness
 * only). Its output goes to a log file and is parsed for what the consumer printed (the README's consumer prints one
 * line per record: partition key, sequence number, event type; the daemon relays it as
 * `Received error line from subprocess [...] for shard ...`).
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** A record the consumer reported it processed. */
export interface Delivery {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  type: string;
  /** When the harness read the line (ms since the epoch). */
  at: number;
}

const RELAYED = /Received error line from subprocess \[(.*)\] for shard (\S+)/;
/** What the shard host's console writes to its stderr (the launcher's): `[<shard>] <line>`. */
const HOST_LINE = /^\[(shardId-\S+)\] (.*)$/;
/** The README's consumer: partition key, sequence number, event type, millisBehindLatest (absent before 0.2). */
const RECORD_LINE = /^(\S+) (\d+) (\S+)(?: \S+)?$/;

export class DaemonRun {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly startedAt = Date.now();
  readonly deliveries: Delivery[] = [];
  readonly relayed: string[] = [];
  firstProcessRecordsMs: number | undefined;
  /** The daemon's workerId, from its log. */
  workerId: string | undefined;
  #tail: string[] = [];
  #exit: Promise<{ code: number | null; signal: string | null }>;

  constructor(child: ChildProcess, logFile: string) {
    this.child = child;
    this.logFile = logFile;
    const log = createWriteStream(logFile);
    // One partial line per pipe: a chunk of one must not splice into a line of the other.
    const onData = () => {
      let partial = "";
      return (chunk: Buffer) => {
        log.write(chunk);
        const text = partial + chunk.toString("utf8");
        const lines = text.split("\n");
        partial = lines.pop()!;
        for (const line of lines) this.#line(line);
      };
    };
    child.stdout!.on("data", onData());
    child.stderr!.on("data", onData());
    this.#exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    this.#exit.then(() => log.end());
  }

  #line(line: string): void {
    if (!/^\s+at |^\s+\.\.\. \d+ (common )?frames omitted/.test(line)) {
      this.#tail.push(line);
      if (this.#tail.length > 400) this.#tail.splice(0, 200);
    }
    if (
      this.firstProcessRecordsMs === undefined &&
      line.includes(`"responseFor":"processRecords"`)
    ) {
      this.firstProcessRecordsMs = Date.now() - this.startedAt;
    }
    const worker = /Using workerId: (\S+)/.exec(line);
    if (worker) this.workerId = worker[1];
    const relayed = RELAYED.exec(line) ?? HOST_LINE.exec(line);
    if (relayed) {
      // A child's line relayed by the daemon: [line, text, shard]; a host's line: [line, shard, text].
      if (relayed[0].startsWith("[")) [relayed[1], relayed[2]] = [relayed[2]!, relayed[1]!];
      this.relayed.push(`${relayed[2]}: ${relayed[1]}`);
      if (this.relayed.length > 2000) this.relayed.splice(0, 1000);
      const record = RECORD_LINE.exec(relayed[1]!);
      if (record) {
        this.deliveries.push({
          shardId: relayed[2]!,
          partitionKey: record[1]!,
          sequenceNumber: record[2]!,
          type: record[3]!,
          at: Date.now(),
        });
      }
    }
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  exit(): Promise<{ code: number | null; signal: string | null }> {
    return this.#exit;
  }

  /** The daemon's log, without Java stack frames, last `lines` lines. */
  tail(lines = 60): string {
    return this.#tail.slice(-lines).join("\n");
  }

  /** The `java` process: the launcher's child (or the process itself when java was started directly). */
  javaPid(): number | undefined {
    const pid = this.child.pid!;
    if (/java$/.test(readProc(pid, "comm").trim())) return pid;
    return childrenOf(pid).find((child) => /java/.test(readProc(child, "comm")));
  }

  /** SIGTERM (graceful), then waits for the exit; SIGKILL after `limitMs`. */
  async terminate(
    limitMs = 120_000,
  ): Promise<{ code: number | null; signal: string | null; ms: number }> {
    const started = Date.now();
    if (!this.exited) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.killAll(), limitMs);
    const result = await this.exit();
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started };
  }

  /** Kills the launcher and the daemon at once (cleanup). */
  killAll(): void {
    const java = this.exited ? undefined : this.javaPid();
    if (java !== undefined) tryKill(java, "SIGKILL");
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

function childrenOf(pid: number): number[] {
  return readProc(pid, `task/${pid}/children`).trim().split(/\s+/).filter(
    Boolean,
  ).map(Number);
}

export function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** Processes whose working folder is `dir`: the daemon's consumer children run there. */
export function processesIn(dir: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${name}/cwd`);
    } catch {
      continue;
    }
    if (cwd === dir) {
      found.push({
        pid: Number(name),
        command: readProc(Number(name), "cmdline").replace(/\0/g, " "),
      });
    }
  }
  return found;
}

/** Starts the daemon for `properties` (a file in `projectDir`) with KCL `release`. */
export function startDaemon(options: {
  projectDir: string;
  properties: string;
  release: string;
  env: Record<string, string>;
  logFile: string;
  workDir: string;
  /** `--host "<command>"`: the shard host the launcher starts first. */
  host?: string;
}): DaemonRun {
  const { projectDir, properties, release, env } = options;
  // What `npx kcl-launcher --properties app.properties --kcl <release>` runs.
  const child = spawn(join(projectDir, "node_modules", ".bin", "kcl-launcher"), [
    "--properties",
    properties,
    "--kcl",
    release,
    ...(options.host === undefined ? [] : ["--host", options.host]),
  ], {
    cwd: projectDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new DaemonRun(child, options.logFile);
}
