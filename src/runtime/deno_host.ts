/**
 * The Deno adapter: native `Deno.stdin.readable` (a byte stream), stdout
 * written synchronously when small, and no `node:*` import (it costs
 * ~20 ms of start-up).
 *
 * @module
 */

import { type ChunkWrite, writableWithTextWrite } from "../session/direct_write.ts";
import { redirectConsoleToStderr } from "./console_guard.ts";
import type { Host, HostSignal } from "./host.ts";
import { patchProcessStdout, type ProcessLike } from "./process_stdout.ts";

interface DenoFile {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  write(p: Uint8Array): Promise<number>;
  writeSync(p: Uint8Array): number;
  isTerminal(): boolean;
}

interface DenoApi {
  readonly stdin: DenoFile;
  readonly stdout: DenoFile;
  readonly stderr: DenoFile;
  readonly args: string[];
  execPath(): string;
  exit(code: number): never;
  addSignalListener(signal: HostSignal, handler: () => void): void;
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  permissions: {
    querySync(descriptor: { name: "env"; variable?: string }): { state: string };
  };
}

/**
 * Longest stdout write made synchronously. Deno's asynchronous stdio write
 * runs on a worker thread; the hop cost ~25 µs, a quarter of a small
 * action's round trip. A small synchronous write does not block: the
 * session writes one reply per daemon message, so the pipe (64 KiB on
 * Linux) never holds more than one unread reply.
 */
const SYNC_WRITE_LIMIT = 16 * 1024;

/** Creates the Deno host adapter. */
export function createDenoHost(): Host {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const encoder = new TextEncoder();
  const writeStderr = (text: string): void => writeAllSync(deno.stderr, encoder.encode(text));
  return {
    runtime: "deno",
    execPath: deno.execPath(),
    args: deno.args,
    env(name) {
      // Never prompt: a child of the daemon has no one to answer.
      const state = deno.permissions.querySync({ name: "env", variable: name }).state;
      return state === "granted" ? deno.env.get(name) : undefined;
    },
    environment: () =>
      deno.permissions.querySync({ name: "env" }).state === "granted" ? deno.env.toObject() : undefined,
    stdin: () => deno.stdin.readable,
    stdout() {
      const write = stdoutWrite(deno.stdout);
      return writableWithTextWrite({ write, writeText: (text) => write(encoder.encode(text)) });
    },
    writeStderr,
    stderrIsTerminal: () => deno.stderr.isTerminal(),
    guardStdout() {
      redirectConsoleToStderr();
      const stdout = deno.stdout as { -readonly [K in keyof DenoFile]: DenoFile[K] };
      stdout.write = (p) => deno.stderr.write(p);
      stdout.writeSync = (p) => deno.stderr.writeSync(p);
      // The session writes through the methods bound in `stdout()`, never through
      // this stream (it writes by resource id, past the methods patched above).
      Object.defineProperty(stdout, "writable", { configurable: true, get: () => deno.stderr.writable });
      // `process` is a lazy getter in Deno 2: patch it on first use so that a
      // consumer that never touches it never pays for the Node layer.
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
      if (descriptor?.get !== undefined && descriptor.configurable === true) {
        const get = descriptor.get;
        let patched: ProcessLike | undefined;
        Object.defineProperty(globalThis, "process", {
          ...descriptor,
          get() {
            if (patched === undefined) {
              patched = get.call(globalThis) as ProcessLike;
              patchProcessStdout(patched);
            }
            return patched;
          },
        });
      }
    },
    onSignal: (signal, handler) => deno.addSignalListener(signal, handler),
    exit: (code) => deno.exit(code),
  };
}

function writeAllSync(file: Pick<DenoFile, "writeSync">, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/**
 * Writes stdout in order: small chunks synchronously, larger ones
 * asynchronously (later chunks wait for them). The methods are bound now:
 * the guard later points `Deno.stdout`'s at stderr.
 */
function stdoutWrite(file: DenoFile): ChunkWrite<Uint8Array> {
  const stdout = { write: file.write.bind(file), writeSync: file.writeSync.bind(file) };
  let pending: Promise<void> | undefined;
  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) offset += await stdout.write(bytes.subarray(offset));
  };
  return (chunk) => {
    if (pending === undefined && chunk.length <= SYNC_WRITE_LIMIT) return writeAllSync(stdout, chunk);
    const written: Promise<void> = (pending ?? Promise.resolve()).then(() => writeAll(chunk)).finally(() => {
      if (pending === written) pending = undefined;
    });
    pending = written;
    return written;
  };
}
