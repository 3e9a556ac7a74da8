/**
 * Plays the MultiLangDaemon for one child over real pipes: writes an action,
 * answers each checkpoint request with success (echoing its position), and
 * reads until the action's status.
 *
 * @module
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import process from "node:process";

/** How to start a child. */
export interface ChildCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();
const STDERR_KEPT = 4000;

/** One running child and the daemon's side of its protocol. */
export class DaemonSession {
  readonly #child: ChildProcess;
  readonly #decoder = new TextDecoder();
  readonly #exited: Promise<number | null>;
  #buffer = "";
  #waiting: { action: string; resolve: () => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  /** Checkpoint requests answered so far. */
  checkpoints = 0;
  /** The start of the child's stderr, for error messages. */
  stderr = "";

  constructor(command: ChildCommand, cwd: string) {
    this.#child = spawn(command.command, [...command.args], {
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...command.env },
    });
    this.#child.stdout!.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    this.#child.stderr!.on("data", (chunk: Uint8Array) => {
      if (this.stderr.length < STDERR_KEPT) this.stderr += this.#decoder.decode(chunk);
    });
    this.#child.stdin!.on("error", () => {});
    this.#exited = new Promise((resolve) => this.#child.on("close", (code: number | null) => resolve(code)));
    this.#exited.then((code) => this.#abort(new Error(`Child exited with ${code} mid-action.\n${this.stderr}`)));
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid!;
  }

  /**
   * Sends one action line and resolves when the child answered it with a status. A line given as several pieces is
   * written piece by piece (one write each, as the Java daemon's 8 KiB `BufferedOutputStream` writes a long line).
   */
  act(action: string, line: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const status = new Promise<void>((resolve, reject) => (this.#waiting = { action, resolve, reject }));
    for (const piece of line instanceof Uint8Array ? [line] : line) this.#child.stdin!.write(piece);
    return status;
  }

  /** The child's peak resident set (`VmHWM`), in bytes. Call while it is alive. */
  peakRss(): number {
    // Through `cat`: Deno grants /proc reads only with --allow-all, the task has --allow-run.
    const status = execFileSync("cat", [`/proc/${this.pid}/status`], { encoding: "utf8" });
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match === null) throw new Error(`Cannot read VmHWM of child ${this.pid}`);
    return Number(match[1]) * 1024;
  }

  /**
   * CPU time the child has used so far (user + system, all its threads), in seconds. Call while it is alive.
   * CPU time rather than wall time: on a shared machine it does not count the time other processes held the cores.
   */
  cpuSeconds(): number {
    // Each thread's `schedstat` starts with its run time in ns (finer than `stat`'s 10 ms ticks).
    const text = execFileSync("sh", ["-c", `cat /proc/${this.pid}/task/*/schedstat`], { encoding: "utf8" });
    let ns = 0;
    for (const line of text.trim().split("\n")) ns += Number(line.split(" ")[0]);
    if (!Number.isFinite(ns) || ns === 0) throw new Error(`Cannot read the CPU time of child ${this.pid}`);
    return ns / 1e9;
  }

  /** Closes stdin and waits for the exit code. */
  close(): Promise<number | null> {
    this.#child.stdin!.end();
    return this.#exited;
  }

  /** Ends the child (after a failure). */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  #onData(chunk: Uint8Array): void {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line !== "") this.#onLine(line);
      newline = this.#buffer.indexOf("\n");
    }
  }

  #onLine(line: string): void {
    let message: { action?: string; responseFor?: string; sequenceNumber?: unknown; subSequenceNumber?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      return; // The daemon skips lines that are not JSON.
    }
    if (message.action === "checkpoint") {
      this.checkpoints++;
      const reply = `{"action":"checkpoint","sequenceNumber":${JSON.stringify(message.sequenceNumber ?? null)},` +
        `"subSequenceNumber":${JSON.stringify(message.subSequenceNumber ?? null)},"error":null}\n`;
      this.#child.stdin!.write(encoder.encode(reply));
      return;
    }
    if (message.action !== "status") return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return this.#abort(new Error(`Unexpected status: ${line}`));
    if (message.responseFor !== waiting.action) {
      return this.#abort(new Error(`Status for ${message.responseFor} while ${waiting.action} was in flight`));
    }
    waiting.resolve();
  }

  #abort(error: Error): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}
