/**
 * One HTTP attempt against a repository, watched for a server that stops
 * sending: failures worth another attempt (network errors, 429, 5xx, no data
 * for the idle time) are {@linkcode TransientError}s; other statuses are
 * `download` errors at once.
 *
 * @module
 */

import { open } from "node:fs/promises";
import { permissionRefusal } from "../runtime/cli.ts";
import { describeError } from "../session/describe_error.ts";
import { LauncherError } from "./launcher_error.ts";

/** A failure worth another attempt (network error, 429, 5xx, a server gone quiet). */
export class TransientError extends Error {
  /** The delay the server asked for (`Retry-After`), if any. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = "TransientError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * One attempt's watch for a repository that stops sending: after
 * `idleTimeoutMs` without progress the attempt fails as transient (the
 * request is aborted, and whatever `guard` waits for rejects at once, even
 * where an abort does not reach a pending read).
 */
export class IdleWatch {
  /** Aborts the request when the attempt goes idle. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #idle: Promise<never>;
  #fail: (error: TransientError) => void = () => {};
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
    this.signal = this.#controller.signal;
    this.#idle = new Promise<never>((_, reject) => this.#fail = reject);
    this.#idle.catch(() => {});
    this.progress();
  }

  /** Restarts the idle time: the response or a chunk of the body arrived. */
  progress(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const error = new TransientError(`sent no data for ${this.#ms / 1000} s`);
      this.#controller.abort(error);
      this.#fail(error);
    }, this.#ms);
  }

  /** `step`, or the idle failure if it comes first. */
  guard<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#idle]);
  }

  /** Ends the watch (the attempt is over). */
  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** Runs one attempt under an {@linkcode IdleWatch} of `idleTimeoutMs`. */
export async function watched<T>(idleTimeoutMs: number, attempt: (watch: IdleWatch) => Promise<T>): Promise<T> {
  const watch = new IdleWatch(idleTimeoutMs);
  try {
    return await attempt(watch);
  } finally {
    watch.stop();
  }
}

/** GETs `url`; 2xx resolves, 429/5xx/network errors/no answer are transient, other statuses fatal. */
export async function get(fetcher: typeof fetch, url: string, name: string, watch: IdleWatch): Promise<Response> {
  let response: Response;
  try {
    response = await watch.guard(fetcher(url, { redirect: "follow", signal: watch.signal }));
  } catch (error) {
    if (error instanceof TransientError) throw error;
    // A refused permission is no network hiccup: report it at once, with its flag.
    if (permissionRefusal(error) !== undefined) throw error;
    throw new TransientError(`failed: ${describeError(error)}`, undefined, { cause: error });
  }
  watch.progress();
  if (response.ok) return response;
  await response.body?.cancel();
  const status = `returned HTTP ${response.status}`;
  if (response.status === 429 || response.status >= 500) {
    const seconds = Number(response.headers.get("retry-after"));
    throw new TransientError(status, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined);
  }
  throw new LauncherError("download", `Cannot download ${name}: ${url} ${status}`);
}

/** Streams `url` into `file` (truncating it), reporting bytes to `onBytes`; resolves with the size. */
export async function fetchToFile(
  fetcher: typeof fetch,
  url: string,
  name: string,
  file: string,
  watch: IdleWatch,
  onBytes: (count: number) => void,
): Promise<number> {
  const response = await get(fetcher, url, name, watch);
  const handle = await open(file, "w");
  let size = 0;
  try {
    if (response.body === null) return 0;
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await watch.guard(reader.read());
      } catch (error) {
        // A connection cut (or gone quiet) mid-body is as transient as one that never opened.
        onBytes(-size);
        reader.cancel(error).catch(() => {});
        if (error instanceof TransientError) throw error;
        throw new TransientError(`failed: ${describeError(error)}`, undefined, { cause: error });
      }
      if (chunk.done) return size;
      watch.progress();
      await handle.write(chunk.value);
      size += chunk.value.length;
      onBytes(chunk.value.length);
    }
  } finally {
    await handle.close();
  }
}
