/**
 * Binds the shard host's Unix socket so that only its owner can connect:
 * bound inside a fresh private directory (mode 0700), made 0600, then
 * renamed onto the path, after the path's directory was checked and a
 * socket already there was found dead (a live host's path is refused).
 * The launcher's `--host` mode binds it the same way.
 *
 * Internal: no package entry point exports this module, so it may change in
 * any release.
 *
 * @module
 */

import { chmod, lstat, mkdtemp, rename, rmdir, stat, unlink } from "node:fs/promises";
import { closeSync, writeSync } from "node:fs";
import { connect, type Server, Socket } from "node:net";
import { basename, dirname, join, resolve } from "node:path";

/** Longest Unix socket path Linux takes, in bytes (`sun_path` holds 108 with the final NUL). */
const MAX_SOCKET_PATH = 107;

/** A socket file this host owns, removed when the host stops. */
export interface BoundSocket {
  /** The absolute path. */
  readonly path: string;
  /** Removes the socket file, unless another host has replaced it since. */
  remove(): Promise<void>;
}

/**
 * Makes `server` listen on `path`, reachable only by this user. Throws an
 * error naming the path and how to fix it when the directory is unsafe, the
 * path is taken by something that is not a socket, by another user's
 * socket, or by a live host.
 */
export async function bindPrivateSocket(server: Server, path: string): Promise<BoundSocket> {
  const target = resolve(path);
  const dir = dirname(target);
  const cannot = `Cannot serve shards at ${target}`;
  const dirStat = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw new Error(
        `${cannot}: the directory ${dir} does not exist; create it so that only you can write it: mkdir -m 700 -p ${dir}`,
      );
    }
    throw new Error(`${cannot}: ${error.message}`, { cause: error });
  });
  if (!dirStat.isDirectory()) throw new Error(`${cannot}: ${dir} is not a directory`);
  const shared = sharedDirectoryProblem(dir, dirStat.mode);
  if (shared !== undefined) throw new Error(`${cannot}: ${shared}`);
  const privateDir = await mkdtemp(join(dir, ".kh")).catch((error: Error) => {
    throw new Error(`${cannot}: cannot create a file in ${dir}: ${error.message}`, { cause: error });
  });
  const bound = join(privateDir, "s");
  try {
    const longest = Math.max(byteLength(bound), byteLength(target));
    if (longest > MAX_SOCKET_PATH) {
      throw new Error(
        `${cannot}: the path is too long for a Unix socket (${longest} bytes, with the private directory the host ` +
          `binds in first; a socket path holds at most ${MAX_SOCKET_PATH}); choose a shorter path`,
      );
    }
    const uid = (await stat(privateDir)).uid;
    if (dirStat.uid !== uid && dirStat.uid !== 0) {
      throw new Error(
        `${cannot}: its directory ${dir} belongs to another user (uid ${dirStat.uid}); use a directory of your own`,
      );
    }
    await listen(server, bound);
    await chmod(bound, 0o600);
    await refuseTaken(target, uid, cannot);
    await rename(bound, target);
    const ino = (await lstat(target)).ino;
    return {
      path: target,
      async remove() {
        const now = await lstat(target).catch(() => undefined);
        if (now?.ino === ino) await unlink(target).catch(() => {});
      },
    };
  } catch (error) {
    server.close();
    await unlink(bound).catch(() => {});
    throw error;
  } finally {
    await rmdir(privateDir).catch(() => {});
  }
}

/**
 * Why a socket in `dir` (of permission bits `mode`) would be unsafe, or
 * `undefined`: others who can write the directory could put a socket of
 * their own there while the host is down.
 */
export function sharedDirectoryProblem(dir: string, mode: number): string | undefined {
  if ((mode & 0o022) === 0) return undefined;
  return `its directory ${dir} is writable by other users (mode ${octal(mode)}), who could put a socket of ` +
    `their own there while the host is down and receive your records; use a directory only you can write ` +
    `(mkdir -m 700 -p <dir>, or $XDG_RUNTIME_DIR)`;
}

/**
 * The environment variable naming a listening socket's file descriptor
 * that a supervisor (`kcl-launcher --host`) passed on: several host
 * processes then accept on one socket, the kernel giving each connection
 * to a process that is waiting for one, and their session counts
 * (`accept_balance.ts`) keeping the spread even.
 */
export const LISTEN_FD_VARIABLE = "KCL_HOST_LISTEN_FD";

/** The environment variable naming a pipe's descriptor where a host started by a supervisor says it is ready. */
export const READY_FD_VARIABLE = "KCL_HOST_READY_FD";

/**
 * Writes `ready\n` to the supervisor's pipe at descriptor `fd` (of
 * {@linkcode READY_FD_VARIABLE}) and closes it. Deno's `node:fs` takes
 * descriptors above 2 as its own resource ids, not the process's (there
 * `writeSync(4)` fails with EBADF): then a `node:net` socket over the
 * descriptor writes it, as it does on every runtime.
 */
export async function sayReady(fd: number): Promise<void> {
  try {
    writeSync(fd, "ready\n");
    closeSync(fd);
    return;
  } catch {
    // Deno: not a descriptor of node:fs's; try the socket below.
  }
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket({ fd, readable: false, writable: true });
    socket.once("error", reject);
    socket.end("ready\n", () => resolve());
  }).catch((error: Error) => {
    throw new Error(`Cannot tell the supervisor the host is ready (${READY_FD_VARIABLE}=${fd}): ${error.message}`, {
      cause: error,
    });
  });
}

/** The descriptor `value` (of {@linkcode LISTEN_FD_VARIABLE}) names, or `undefined` when unset. */
export function inheritedSocket(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const fd = Number(value);
  if (!Number.isInteger(fd) || fd < 3) {
    throw new Error(`Cannot serve shards: ${LISTEN_FD_VARIABLE}=${value} names no inherited descriptor (3 or more)`);
  }
  return fd;
}

/** Makes `server` accept on the inherited listening socket `fd`; the supervisor owns (and removes) the file at `path`. */
export async function adoptSocket(server: Server, fd: number, path: string): Promise<BoundSocket> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ fd }, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: Error) => {
    throw new Error(`Cannot serve shards on the inherited socket (${LISTEN_FD_VARIABLE}=${fd}): ${error.message}`, {
      cause: error,
    });
  });
  return { path, remove: () => Promise.resolve() };
}

/**
 * The file descriptor of `server`'s listening socket, to pass to host
 * processes (Deno, Bun and Node all keep it at `_handle.fd`).
 */
export function listeningDescriptor(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) {
    throw new Error("Cannot pass the shard host's socket on: its descriptor is unknown");
  }
  return fd;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Throws unless `target` is free or holds a dead socket of this user. */
async function refuseTaken(target: string, uid: number, cannot: string): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new Error(`${cannot}: ${basename(target)} exists and is not a socket; remove it or choose another path`);
  }
  if (existing.uid !== uid) {
    throw new Error(`${cannot}: the socket there belongs to another user (uid ${existing.uid}); choose another path`);
  }
  if (await accepts(target)) {
    throw new Error(
      `${cannot}: another shard host is serving there (it accepted a connection); stop it first or choose another path`,
    );
  }
}

/** Whether a process accepts connections at `path` (a dead host's socket refuses them). */
export function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}
