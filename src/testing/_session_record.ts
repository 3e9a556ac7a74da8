/**
 * Everything the fake daemon saw of a session: the lines exchanged, the
 * child's last stderr lines and the violations, kept both for the test to
 * inspect and to explain a failed step.
 *
 * @module
 */

import { formatTranscript, type TranscriptEntry } from "./transcript.ts";
import type { Violation } from "./violation.ts";

const STDERR_TAIL = 50;

/** The record of one session. */
export class SessionRecord {
  readonly transcript: TranscriptEntry[] = [];
  readonly violations: Violation[] = [];
  readonly stderr: string[] = [];
  readonly #started = Date.now();
  readonly #transcriptLimit: number;
  readonly #onStderr: ((line: string) => void) | undefined;
  #actionViolations: Violation[] | undefined;

  /** Keeps up to `transcriptLimit` transcript entries and passes stderr lines on to `onStderr`. */
  constructor(transcriptLimit: number, onStderr: ((line: string) => void) | undefined) {
    this.#transcriptLimit = transcriptLimit;
    this.#onStderr = onStderr;
  }

  /** Records a line written by the daemon or read from the child. */
  line(from: "daemon" | "child", line: string): void {
    this.transcript.push({ from, line, at: Date.now() - this.#started });
    if (this.transcript.length > this.#transcriptLimit) this.transcript.shift();
  }

  /** Records a line of the child's stderr. */
  stderrLine(line: string): void {
    this.stderr.push(line);
    if (this.stderr.length > STDERR_TAIL) this.stderr.shift();
    this.#onStderr?.(line);
  }

  /** Records a violation, also into the list of the action collecting them. */
  violation(violation: Violation): void {
    this.violations.push(violation);
    this.#actionViolations?.push(violation);
  }

  /** Starts collecting the violations of one action, into the list returned. */
  collectForAction(): Violation[] {
    this.#actionViolations = [];
    return this.#actionViolations;
  }

  /** Stops collecting the violations of the action. */
  stopCollecting(): void {
    this.#actionViolations = undefined;
  }

  /** The child's last stderr lines (and the last lines exchanged), to append to a failure's message. */
  context(withLines = true): string {
    const tail = this.stderr.slice(-10);
    const stderr = tail.length === 0
      ? "\nThe child wrote nothing to stderr."
      : `\nLast stderr lines of the child:\n${tail.map((line) => `  | ${line}`).join("\n")}`;
    const last = this.transcript.slice(-6);
    return !withLines || last.length === 0
      ? stderr
      : `${stderr}\nLast lines exchanged:\n${formatTranscript(last, 200)}`;
  }
}

/** Holds stderr lines that arrive before the daemon that records them exists. */
export class StderrBuffer {
  #early: string[] = [];
  #sink: ((line: string) => void) | undefined;

  /** Takes one stderr line of the child. */
  readonly push = (line: string): void => {
    if (this.#sink === undefined) this.#early.push(line);
    else this.#sink(line);
  };

  /** Sends the lines held so far, and every later one, to `sink`. */
  attach(sink: (line: string) => void): void {
    this.#sink = sink;
    for (const line of this.#early) sink(line);
    this.#early = [];
  }
}
