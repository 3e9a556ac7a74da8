/**
 * The Deno adapter: native stdio, no `node:*` import (Deno loads its Node
 * layer for one).
 *
 * @module
 */

import { redirectConsole } from "./_console_guard.ts";
import type { DenoWriter } from "./_deno_sync_write.ts";
import { denoTransport } from "./_deno_transport.ts";
import { OrderedWriter } from "./_ordered_writer.ts";
import { patchProcessStdout, type ProcessLike } from "./_process_stdout.ts";
import { exitDeadline } from "./_exit_deadline.ts";
import type { Host, HostSignal } from "./_host.ts";

interface DenoFile extends DenoWriter {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

interface DenoApi {
  readonly stdin: DenoFile;
  readonly stdout: DenoFile;
  readonly stderr: DenoFile;
  exit(code: number): never;
  inspect(value: unknown): string;
  addSignalListener(signal: HostSignal, handler: () => void): void;
  env: { get(name: string): string | undefined };
  permissions: { querySync(descriptor: { name: "env"; variable?: string }): { state: string } };
}

interface ErrorEventLike {
  readonly error?: unknown;
  readonly reason?: unknown;
  preventDefault(): void;
}

/** Creates the Deno host adapter. */
export function createDenoHost(): Host {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const stderr = new OrderedWriter((bytes) => deno.stderr.write(bytes));
  const writeStderr = (text: string) => stderr.write(text);
  const deadline = exitDeadline();
  return {
    env(name) {
      const state = deno.permissions.querySync({ name: "env", variable: name }).state;
      return state === "granted" ? deno.env.get(name) : undefined;
    },
    takeStdio() {
      // Bound now: the guard repoints Deno.stdout's methods to stderr.
      const stdout = { write: deno.stdout.write.bind(deno.stdout), writeSync: deno.stdout.writeSync.bind(deno.stdout) };
      // Deno gives a program no collector to call, unless the user passed --v8-flags=--expose-gc.
      const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();
      const transport = denoTransport(
        deno.stdin.readable,
        stdout,
        { collectGarbage },
        deadline.closedAt,
      );
      guardStdout(deno, writeStderr);
      return transport;
    },
    writeStderr,
    onSignal: (signal, handler) => deno.addSignalListener(signal, handler),
    onUncaughtError(handler) {
      const listen = globalThis.addEventListener as (type: string, listener: (event: ErrorEventLike) => void) => void;
      listen("error", (event) => {
        event.preventDefault();
        handler(event.error);
      });
      listen("unhandledrejection", (event) => {
        event.preventDefault();
        handler(event.reason);
      });
    },
    async exit(code) {
      await deadline.wait(stderr.flushed());
      return deno.exit(code);
    },
  };
}

/** Sends console output and every stdout writer user code can reach to `writeStderr`. */
function guardStdout(deno: DenoApi, writeStderr: (text: string) => void): void {
  redirectConsole(writeStderr, deno.inspect);
  const decoder = new TextDecoder();
  const writeBytes = (bytes: Uint8Array): number => {
    writeStderr(decoder.decode(bytes, { stream: true })); // a character may span two writes
    return bytes.length;
  };
  const stdout = deno.stdout as { -readonly [K in keyof DenoFile]: DenoFile[K] };
  stdout.write = (bytes) => Promise.resolve(writeBytes(bytes));
  stdout.writeSync = writeBytes;
  let writable: WritableStream<Uint8Array> | undefined;
  Object.defineProperty(stdout, "writable", {
    configurable: true,
    get: () => writable ??= new WritableStream<Uint8Array>({ write: (bytes) => void writeBytes(bytes) }),
  });
  // `process` is a lazy getter in Deno 2: patch it on first use, so that a
  // consumer that never touches it never loads the Node layer.
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
  if (descriptor?.get !== undefined && descriptor.configurable === true) {
    const get = descriptor.get;
    let patched: ProcessLike | undefined;
    Object.defineProperty(globalThis, "process", {
      ...descriptor,
      get() {
        if (patched === undefined) {
          patched = get.call(globalThis) as ProcessLike;
          patchProcessStdout(patched, writeStderr);
        }
        return patched;
      },
    });
  }
}
