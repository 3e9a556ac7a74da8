/**
 * A realistic batching consumer: JSON events are batched per event type and
 * appended to one NDJSON file per type — a stand-in for a database or an
 * object store, with no network. A batch is written when it holds 500
 * events, 1 MiB of data, or is 5 s old; the checkpoint only ever covers
 * events already on disk, so a restart never loses one (it may write one
 * again: each line carries its sequence number so readers can de-duplicate).
 *
 * Run it under the MultiLangDaemon with
 * `executableName = deno run --allow-read --allow-write --allow-env examples/batch_consumer.ts`
 * (or `bun examples/batch_consumer.ts`, `node examples/batch_consumer.ts`).
 * Files go to `$BATCH_SINK_DIR`, by default `<tmp>/kcl-batch-sink`; the
 * consumer appends to them (every shard's child writes there), so empty the
 * folder to start clean — `deno task demo:batch` does.
 *
 * @module
 */

import { appendFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env } from "node:process";
import { createLogger, run } from "../mod.ts";
import { BatchConsumer } from "../src/batch/mod.ts";

/** What producers put on the stream. */
interface Event {
  type: string;
  [field: string]: unknown;
}

/** A line of a type's file: the event and where it came from. */
interface Row {
  seq: string;
  sub: number;
  event: Event;
}

const directory = env.BATCH_SINK_DIR ?? join(tmpdir(), "kcl-batch-sink");
await mkdir(directory, { recursive: true });
const log = createLogger((line) => console.error(line.trimEnd()), { name: "batch-example" });
log("info", "Appending events to one NDJSON file per event type", { directory });

/** Event types become file names: keep them to a safe alphabet. */
function fileFor(type: string): string {
  return join(directory, `${type.replace(/[^A-Za-z0-9_-]/g, "_")}.ndjson`);
}

await run(
  new BatchConsumer<Row>({
    map(record) {
      const event = record.json<Event>();
      // Not an event of ours: skip it (it counts as done for checkpointing).
      if (typeof event?.type !== "string") return undefined;
      return { seq: record.sequenceNumber, sub: record.subSequenceNumber, event };
    },
    keyOf: (row) => row.event.type,
    async flush(rows, { key }) {
      // One append per batch: the data is on disk when this resolves.
      await appendFile(fileFor(key!), rows.map((row) => JSON.stringify(row) + "\n").join(""));
    },
    maxRecords: 500,
    maxBytes: 1024 * 1024,
    maxAgeMs: 5_000,
    maxConcurrentFlushes: 4,
    checkpointIntervalMs: 1_000,
    retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 },
    onBatchError(error) {
      // A record that is not JSON is dropped (and logged); a failing disk fails the process.
      if (error.kind === "map") return "drop";
      throw error;
    },
    log,
    statsIntervalMs: 30_000,
  }),
  { log },
);
