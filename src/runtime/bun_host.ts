/**
 * The Bun adapter: `Bun.stdin.stream()` and a `FileSink` flushed on every
 * write (Bun's `Writable.toWeb` ignores backpressure). It reads Bun's global
 * `process` instead of importing `node:process`, so that `host.ts` can load
 * it statically on every runtime at no cost.
 *
 * @module
 */

import { writableWithTextWrite } from "../session/direct_write.ts";
import { redirectConsoleToStderr } from "./console_guard.ts";
import type { Host } from "./host.ts";
import { definedValues } from "./host.ts";
import { patchProcessStdout, type ProcessLike } from "./process_stdout.ts";

interface BunProcess extends ProcessLike {
  readonly execPath: string;
  readonly argv: string[];
  readonly env: Record<string, string | undefined>;
  readonly stderr: ProcessLike["stderr"] & { write(text: string): boolean; readonly isTTY?: boolean };
  on(signal: string, handler: () => void): void;
  exit(code: number): never;
}

interface BunFileSink {
  write(chunk: Uint8Array | string): number | Promise<number>;
  flush(): number | Promise<number>;
}

interface BunFile {
  stream(): ReadableStream<Uint8Array>;
  writer(): BunFileSink;
}

interface BunApi {
  readonly stdin: BunFile;
  readonly stdout: BunFile;
  readonly stderr: BunFile;
  write(destination: unknown, data: unknown): Promise<number>;
}

/** Creates the Bun host adapter. */
export function createBunHost(): Host {
  const { Bun: bun, process } = globalThis as unknown as { Bun: BunApi; process: BunProcess };
  return {
    runtime: "bun",
    execPath: process.execPath,
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    environment: () => definedValues(process.env),
    stdin: () => bun.stdin.stream(),
    stdout() {
      const sink = bun.stdout.writer();
      // Flushed on every write: a reply sitting in Bun's buffer would never reach the daemon.
      const flush = (): void | Promise<void> => {
        const flushed = sink.flush();
        return typeof flushed === "number" ? undefined : flushed.then(() => {});
      };
      const writeChunk = (chunk: Uint8Array | string): void | Promise<void> => {
        const written = sink.write(chunk);
        return typeof written === "number" ? flush() : written.then(flush);
      };
      return writableWithTextWrite({ write: writeChunk, writeText: writeChunk });
    },
    writeStderr: (text) => void process.stderr.write(text),
    stderrIsTerminal: () => process.stderr.isTTY === true,
    guardStdout() {
      redirectConsoleToStderr();
      // Costs ~11 ms of start-up on Bun, which builds its Node stdio streams
      // on first touch; any lazy alternative still touches them or leaves
      // `import process from "node:process"` unguarded.
      patchProcessStdout(process);
      const write = bun.write.bind(bun);
      bun.write = (destination, data) => write(destination === bun.stdout ? bun.stderr : destination, data);
      // The session's own sink was made in `stdout()`, before this.
      (bun.stdout as { writer: () => BunFileSink }).writer = () => bun.stderr.writer();
    },
    onSignal: (signal, handler) => void process.on(signal, handler),
    exit: (code) => process.exit(code),
  };
}
