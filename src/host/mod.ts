/**
 * The shard host: one process serves many shards of the KCL
 * MultiLangDaemon. Each connection to a Unix domain socket is one shard's
 * session; the daemon's child for the shard is a small relay between its
 * stdio and the socket, so a host takes thousands of shards where children
 * (a runtime each) take hundreds.
 *
 * ```properties
 * executableName = socat -b 65536 STDIO UNIX-CONNECT:/run/orders/kcl.sock
 * ```
 *
 * @example A host serving a processor per shard
 * ```ts ignore
 * // host.ts: start it before the daemon (kcl-launcher --host "deno run -A host.ts" does).
 * import { serveShards } from "@kcl/multilang/host";
 *
 * await serveShards(() => ({
 *   async processRecords({ records, checkpointer }) {
 *     for (const record of records) console.log(record.text()); // to stderr, tagged with the shard
 *     await checkpointer.checkpoint();
 *   },
 * }), { path: "/run/orders/kcl.sock" });
 * ```
 *
 * @module
 */

export { serveShards, type ServeShardsOptions, type ShardHost } from "./serve_shards.ts";
