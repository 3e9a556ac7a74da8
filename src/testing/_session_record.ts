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

  /**
   * The child's last stderr lines (and the last lines exchanged), to append to
   * a failure's message: the last {@linkcode STDERR_LAST} lines as they came,
   * and before them the error's own lines (its message, its causes, the log
   * line that reported it) without their stack frames, which would otherwise
   * push the message out.
   */
  context(withLines = true): string {
    const stderr = this.stderr.length === 0
      ? "\nThe child wrote nothing to stderr."
      : `\nLast stderr lines of the child:\n${stderrExcerpt(this.stderr).join("\n")}`;
    const last = this.transcript.slice(-6);
    return !withLines || last.length === 0
      ? stderr
      : `${stderr}\nLast lines exchanged:\n${formatTranscript(last, 200)}`;
  }
}

/** How many of the last stderr lines a failure's message shows as they came. */
const STDERR_LAST = 10;
/** How many earlier lines that are not stack frames it shows at most. */
const STDERR_EARLIER = 20;
/** A stack frame line of V8 (Deno, Node) or JavaScriptCore (Bun), also as the logger indents it. */
const STACK_FRAME = /^\s*at\s/;

/**
 * `lines` as a failure shows them (`  | line`): the last {@linkcode STDERR_LAST}
 * lines, and before them up to {@linkcode STDERR_EARLIER} earlier lines that
 * are not stack frames; each gap is one `  | …` line saying how many lines it
 * leaves out.
 */
function stderrExcerpt(lines: readonly string[]): string[] {
  const tailStart = Math.max(0, lines.length - STDERR_LAST);
  const earlier = lines.slice(0, tailStart).flatMap((line, index) => (STACK_FRAME.test(line) ? [] : [index]));
  const kept = [...earlier.slice(-STDERR_EARLIER), ...lines.slice(tailStart).map((_, index) => tailStart + index)];
  const shown: string[] = [];
  let next = 0;
  for (const index of kept) {
    if (index > next) shown.push(`  | … (${index - next} line${index - next === 1 ? "" : "s"} left out)`);
    shown.push(`  | ${lines[index]}`);
    next = index + 1;
  }
  return shown;
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
