/**
 * The Bun adapter: Bun's own stdio (`Bun.stdin`, `FileSink`s) and its
 * global `process` for signals and exit.
 *
 * @module
 */

import { type BunSink, bunTransport, writeAndFlush } from "./_bun_transport.ts";
import { redirectConsole } from "./_console_guard.ts";
import { PendingWrites } from "./_pending_writes.ts";
import { patchProcessStdout, type ProcessLike } from "./_process_stdout.ts";
import { exitDeadline } from "./_exit_deadline.ts";
import type { Host } from "./_host.ts";

interface BunProcess extends ProcessLike {
  readonly env: Record<string, string | undefined>;
  on(event: string, handler: (value: unknown) => void): void;
  exit(code: number): never;
}

interface BunFile {
  stream(): ReadableStream<Uint8Array>;
  writer(): BunSink;
}

interface BunApi {
  readonly stdin: BunFile;
  readonly stdout: BunFile;
  readonly stderr: BunFile;
  write(destination: unknown, data: unknown): Promise<number>;
  inspect(value: unknown): string;
  gc(force: boolean): void;
}

/** Creates the Bun host adapter. */
export function createBunHost(): Host {
  const { Bun: bun, process } = globalThis as unknown as { Bun: BunApi; process: BunProcess };
  // A sink of our own: Bun's console writes stderr synchronously, blocking on a full pipe.
  const stderr = bun.stderr.writer();
  const stderrWrites = new PendingWrites();
  const writeStderr = (text: string): void => {
    try {
      stderrWrites.track(writeAndFlush(stderr, text))?.catch(() => {});
    } catch {
      // The sink throws EPIPE once the parent closed stderr: there is nowhere left to report to.
    }
  };
  const deadline = exitDeadline();
  return {
    env: (name) => process.env[name],
    takeStdio() {
      const collectGarbage = () => bun.gc(true);
      const transport = bunTransport(
        bun.stdin.stream(),
        bun.stdout.writer(),
        { collectGarbage },
        deadline.closedAt,
      );
      redirectConsole(writeStderr, bun.inspect);
      // Touching `process.stdout` makes Bun build its Node stdio streams; patching
      // it lazily would leave `import process from "node:process"` unguarded.
      patchProcessStdout(process, writeStderr);
      const write = bun.write.bind(bun);
      bun.write = (destination, data) => write(destination === bun.stdout ? bun.stderr : destination, data);
      // The session's own sink was made above, before this.
      (bun.stdout as { writer: () => BunSink }).writer = () => bun.stderr.writer();
      return transport;
    },
    writeStderr,
    onSignal: (signal, handler) => void process.on(signal, handler),
    onUncaughtError(handler) {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
    async exit(code) {
      await deadline.wait(stderrWrites.done());
      return process.exit(code);
    },
  };
}
