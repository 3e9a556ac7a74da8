/**
 * The shard host's console: user code's `console.*` goes to stderr, each
 * line tagged with the shard whose code printed it (known through the
 * session's async context, `node:async_hooks`' `AsyncLocalStorage`, which
 * Deno, Bun and Node ship).
 *
 * @module
 */

import { inspect } from "node:util";
import { redirectConsole } from "./_console_guard.ts";

/**
 * Sends every `console.*` method to `write`, each line prefixed with
 * `label()` (say `[shardId-000000000001] `).
 */
export function routeConsole(write: (text: string) => void, label: () => string): void {
  redirectConsole((text) => {
    const prefix = label();
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    write(prefix + body.replaceAll("\n", "\n" + prefix) + "\n");
  }, (value) => inspect(value));
}
