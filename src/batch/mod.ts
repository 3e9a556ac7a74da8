/**
 * Batching for consumers that forward records to a database, an object store
 * or an HTTP API: {@linkcode BatchConsumer} collects mapped records in
 * per-key batches, flushes them by size, count and age with retries, applies
 * backpressure when the sink is slow, and checkpoints only positions below
 * which every record was flushed — a restart never loses a record.
 *
 * @example A consumer that writes batches of JSON events per table
 * ```ts ignore
 * // An illustration: `run()` takes over the process's stdin and stdout, as the daemon's child.
 * import { run } from "@kcl/multilang";
 * import { BatchConsumer } from "@kcl/multilang/batch";
 *
 * interface Event { table: string; id: string }
 * const sink = { async write(table: string, events: Event[]) { console.error(table, events.length) } };
 *
 * await run(new BatchConsumer<Event>({
 *   map: (record) => record.json<Event>(),
 *   keyOf: (event) => event.table,
 *   flush: async (events, { key }) => { await sink.write(key!, events); },
 *   maxRecords: 500, maxBytes: 4 * 1024 * 1024, maxAgeMs: 10_000,
 * }));
 * ```
 *
 * @module
 */

export { BatchConsumer } from "./batch_consumer.ts";
export type { BatchConsumerOptions, FailedBatch, FlushContext } from "./batch_options.ts";
export { BatchError, type BatchErrorDetails, type BatchErrorKind } from "./batch_error.ts";
export type { BatchStats } from "./batch_stats.ts";
