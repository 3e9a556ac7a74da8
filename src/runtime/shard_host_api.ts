/**
 * The runtime as the shard host (`src/host/`) uses it: the runtime's
 * adapter, a transport over one socket connection, console lines routed
 * with their shard's id, timer errors caught per session, and a full
 * collection where the runtime lets a program ask for one.
 *
 * Internal: no package entry point exports this module, so it may change in
 * any release.
 *
 * @module
 */

export { getHost } from "./_get_host.ts";
export type { Host } from "./_host.ts";
export { fullCollection } from "./_full_collection.ts";
export { routeConsole } from "./_shard_console.ts";
export { socketTransport, type SocketTransportOptions } from "./_socket_transport.ts";
export { catchTimerErrors } from "./_timer_errors.ts";
