/**
 * `serveShards()`: one process serves many shards. Each connection to a
 * Unix domain socket is one shard's session; the daemon's child for the
 * shard is a relay between its stdio and the socket
 * (`socat STDIO UNIX-CONNECT:<path>`).
 *
 * @module
 */

import { createServer, type Socket } from "node:net";
import { KclProcess, type KclProcessOptions } from "../session/kcl_process.ts";
import { createLogger, isLogLevel, type LogFunction, type LogLevel } from "../session/logger.ts";
import type { RecordProcessor } from "../session/record_processor.ts";
import {
  catchTimerErrors,
  fullCollection,
  getHost,
  type Host,
  routeConsole,
  socketTransport,
} from "../runtime/shard_host_api.ts";
import { CoalescedCollector } from "./_collector.ts";
import { AcceptBalance } from "./accept_balance.ts";
import {
  adoptSocket,
  bindPrivateSocket,
  inheritedSocket,
  LISTEN_FD_VARIABLE,
  READY_FD_VARIABLE,
  sayReady,
} from "./socket_path.ts";
import { resolve } from "node:path";
import { ShardContext, shardStorage } from "./_shard_context.ts";

/**
 * Options of {@linkcode serveShards}: where to listen, the sessions'
 * policies (as a child's `run()` takes them), logging, and whether the host
 * owns its process.
 *
 * @example A host's options
 * ```ts
 * import type { ServeShardsOptions } from "@kcl/multilang/host";
 * import assert from "node:assert/strict";
 *
 * const options: ServeShardsOptions = {
 *   path: "/run/orders/kcl.sock",
 *   logLevel: "warn",
 *   checkpointRetry: { attempts: 10 },
 * };
 * assert.equal(options.ownProcess, undefined); // default: signals stop the host, console lines carry the shard
 * ```
 */
export interface ServeShardsOptions extends Omit<KclProcessOptions, "transport" | "input" | "output" | "log"> {
  /**
   * The Unix domain socket to listen on. Its directory must be writable by
   * you only (say `mkdir -m 700 /run/orders`); the socket is made so that
   * only you can connect. A dead host's socket there is replaced; a live
   * host's path is refused. Under `kcl-launcher --host` with several
   * host processes, the launcher binds it and passes it on (the
   * `KCL_HOST_LISTEN_FD` environment variable names the descriptor; on
   * Deno grant `--allow-env`): every process accepts on the one socket,
   * and they spread its connections by the live session counts each
   * publishes in the file beside it (`KCL_HOST_COUNTS_FILE`, its slot
   * `KCL_HOST_INDEX`; Deno needs `--allow-read --allow-write` for it).
   * A supervisor of its own (a test harness) can do the same, and pass a
   * pipe in `KCL_HOST_READY_FD`: the host writes `ready\n` to it once it
   * accepts connections.
   */
  readonly path: string;
  /**
   * The least severe level logged to stderr.
   *
   * @default {the `KCL_LOG_LEVEL` environment variable, else "info"}
   */
  readonly logLevel?: LogLevel | "silent";
  /** Replaces the stderr logger entirely (each event's fields name the shard, or the connection before `initialize`). */
  readonly log?: LogFunction;
  /**
   * Whether the host owns this process, as `run()` owns a child's: user
   * `console.*` goes to stderr with the shard id; SIGINT and SIGTERM close
   * the host (see {@linkcode ShardHost.close}) and exit 0; an uncaught error
   * in a session's code fails that session alone (an error no session can
   * be named for exits the process with 1). Pass `false` to embed a host
   * (tests): then it touches none of these.
   *
   * @default {true}
   */
  readonly ownProcess?: boolean;
  /** How long {@linkcode ShardHost.close} waits for sessions on a signal, in milliseconds. @default {30000} */
  readonly closeTimeoutMs?: number;
}

/**
 * A running shard host, from {@linkcode serveShards}.
 *
 * @example Stop a host
 * ```ts
 * import { serveShards, type ShardHost } from "@kcl/multilang/host";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "host-"));
 * const host: ShardHost = await serveShards(() => ({ processRecords() {} }), {
 *   path: join(dir, "kcl.sock"),
 *   ownProcess: false,
 * });
 * assert.equal(host.sessions, 0);
 * assert.equal(await host.close(1000), 0);
 * await rm(dir, { recursive: true });
 * ```
 */
export interface ShardHost {
  /** The socket's absolute path. */
  readonly path: string;
  /** How many sessions are live (connections not yet closed). */
  readonly sessions: number;
  /** How many sessions were served since the start (ended ones included). */
  readonly served: number;
  /**
   * Stops accepting: the socket file goes away (a relay started from now
   * on fails at once); live sessions go on. Resolves once stopped.
   */
  stop(): Promise<void>;
  /**
   * Stops accepting, then waits for the live sessions to end (the daemon
   * ends them: lease lost, shard end, shutdown), at most `timeoutMs`, and
   * closes the connections still open then, without a status (the daemon
   * restarts those shards from their last checkpoints). Resolves with how
   * many sessions it cut.
   *
   * @param timeoutMs the longest wait for live sessions @default {30000}
   */
  close(timeoutMs?: number): Promise<number>;
}

const CLOSE_TIMEOUT_MS = 30_000;
const COLLECT_INTERVAL_MS = 2_000;

/**
 * Serves KCL shard sessions on a Unix domain socket: each connection runs a
 * processor from `factory()` exactly as a child's `run()` would (status
 * rules, checkpoint ordering and retries, the guaranteed `SHARD_END`, errors
 * naming the shard). A processor that throws ends its own session as a
 * child's exit would (the connection closes without a status); the others
 * go on. The daemon's `executableName` is a relay:
 * `socat STDIO UNIX-CONNECT:<path>`.
 *
 * @example A host and one shard's session, through a socket
 * ```ts
 * import { serveShards } from "@kcl/multilang/host";
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { connect } from "node:net";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = await mkdtemp(join(tmpdir(), "host-"));
 * const shards: string[] = [];
 * const host = await serveShards(() => ({
 *   initialize: ({ shardId }) => void shards.push(shardId),
 *   processRecords() {},
 * }), { path: join(dir, "kcl.sock"), ownProcess: false, logLevel: "silent" });
 *
 * // What a relay does: the daemon's lines in, the replies out.
 * const socket = connect(host.path);
 * let replies = "";
 * socket.on("data", (chunk) => replies += chunk);
 * const closed = new Promise((resolve) => socket.on("close", resolve));
 * socket.end('{"action":"initialize","shardId":"shardId-000000000001","sequenceNumber":null,"subSequenceNumber":null}\n');
 * await closed;
 * assert.equal(replies, '{"action":"status","responseFor":"initialize"}\n');
 * assert.deepEqual(shards, ["shardId-000000000001"]);
 * await host.close();
 * await rm(dir, { recursive: true });
 * ```
 *
 * @param factory makes the processor of one session (one shard's lease), per connection
 * @param options the socket path, session policies, logging
 */
export async function serveShards(factory: () => RecordProcessor, options: ServeShardsOptions): Promise<ShardHost> {
  if (typeof factory !== "function") throw new TypeError("Cannot serve shards: the factory is not a function");
  if (typeof options?.path !== "string" || options.path === "") {
    throw new TypeError("Cannot serve shards: options.path must name the Unix socket to listen on");
  }
  const { path, logLevel, log: customLog, ownProcess = true, closeTimeoutMs = CLOSE_TIMEOUT_MS, ...policies } = options;
  const host = await getHost();
  const envLevel = host.env("KCL_LOG_LEVEL");
  const level = logLevel ?? (isLogLevel(envLevel) ? envLevel : "info");
  const log = customLog ?? createLogger((line) => host.writeStderr(line), { level, name: "kcl-host" });
  const decodeBase64 = host.decodeBase64 === undefined ? {} : { decodeBase64: host.decodeBase64 };
  // Big batches leave their garbage in the one heap of all sessions: one full collection at most every 2 s.
  const collector = new CoalescedCollector(await fullCollection(), COLLECT_INTERVAL_MS);
  const collectGarbage = () => collector.request();
  const connections = new Set<Socket>();
  let connectionCount = 0;
  let idle: (() => void) | undefined;

  const serve = async (socket: Socket) => {
    const context = new ShardContext(++connectionCount);
    connections.add(socket);
    const sessionLog: LogFunction = (level, message, fields) =>
      // A connection that ended before saying anything is a probe (the launcher's, a health check): debug only.
      log(context.shardId === null && message === "Input ended" ? "debug" : level, message, {
        ...(context.shardId === null ? { connection: context.connection } : { shardId: context.shardId }),
        ...fields,
      });
    try {
      const processor = shardStorage.run(context, factory);
      const transport = context.bind(socketTransport(socket, { collectGarbage }));
      const session = new KclProcess(context.track(processor), {
        ...decodeBase64,
        ...policies,
        transport,
        log: sessionLog,
      });
      const result = await session.run();
      if (result.exitCode !== 0) {
        sessionLog(
          "error",
          "Closed the connection without a status: the daemon stops its worker; restarted, it resumes the shard from its last checkpoint",
        );
      }
    } catch (error) {
      sessionLog("error", "Cannot start a session: the factory failed", { error: asError(error) });
      socket.destroy();
    } finally {
      if (!socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
      connections.delete(socket);
      balance?.publish(connections.size);
      if (connections.size === 0) idle?.();
    }
  };

  const running = new Set<Promise<void>>();
  const inherited = inheritedSocket(host.env(LISTEN_FD_VARIABLE));
  // Processes sharing one socket spread its connections by their session counts.
  const balance = inherited === undefined ? undefined : AcceptBalance.open((name) => host.env(name));
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => {
    const session = serve(socket).finally(() => running.delete(session));
    running.add(session);
    balance?.accepted(connections.size);
  });
  // An accept that fails (too many open files) must not end the host: the relay sees its connection refused.
  server.on("error", (error) => log("error", "The socket listener failed", { error }));
  const bound = inherited === undefined
    ? await bindPrivateSocket(server, path)
    : await adoptSocket(server, inherited, resolve(path));
  log("info", "Serving shards", { path: bound.path, ...(inherited === undefined ? {} : { fd: inherited }) });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      server.close();
      await bound.remove();
    })();
  let closing: Promise<number> | undefined;
  const close = (timeoutMs = CLOSE_TIMEOUT_MS) =>
    closing ??= (async () => {
      await stop();
      collector.cancel();
      if (connections.size > 0) {
        log("info", "Waiting for live sessions to end", { sessions: connections.size, timeoutMs });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const cut = connections.size;
      if (cut > 0) log("warn", "Closing sessions still live, without a status", { sessions: cut });
      for (const socket of connections) socket.destroy();
      await Promise.all(running);
      balance?.close();
      return cut;
    })();

  if (ownProcess) takeProcess(host, log, { close, closeTimeoutMs });
  const ready = inheritedSocket(host.env(READY_FD_VARIABLE));
  if (ready !== undefined) {
    // The supervisor starts the daemon on this line, and may stop the host at once: its signals are handled by now.
    await sayReady(ready);
  }
  return {
    path: bound.path,
    get sessions() {
      return connections.size;
    },
    get served() {
      return connectionCount;
    },
    stop,
    close,
  };
}

/** Console tags, signals and uncaught errors, when the host owns its process. */
function takeProcess(
  host: Host,
  log: LogFunction,
  { close, closeTimeoutMs }: { close: (timeoutMs: number) => Promise<number>; closeTimeoutMs: number },
): void {
  routeConsole((text) => host.writeStderr(text), () => {
    const context = shardStorage.getStore();
    return context === undefined ? "" : `[${context.label}] `;
  });
  let signalled = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    host.onSignal(signal, () => {
      if (signalled) return;
      signalled = true;
      log("info", `${signal}: closing the shard host`);
      void close(closeTimeoutMs).then((cut) => host.exit(cut === 0 ? 0 : 1));
    });
  }
  const failSession = (context: ShardContext, error: unknown) => {
    const failure = asError(error);
    context.fail(
      new Error(`Uncaught error in the record processor of ${context.label}: ${failure.message}`, {
        cause: failure,
      }),
    );
  };
  catchTimerErrors(() => {
    const context = shardStorage.getStore();
    return context === undefined ? undefined : (error) => failSession(context, error);
  });
  host.onUncaughtError((error) => {
    const context = shardStorage.getStore();
    const failure = asError(error);
    if (context !== undefined) return failSession(context, failure);
    log("error", "Uncaught error that no session can be named for; exiting: every shard of this host stops", {
      error: failure,
    });
    void host.exit(1);
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
