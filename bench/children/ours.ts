/**
 * Our child, as an `examples/`-style consumer: decodes every record's data
 * and checkpoints the last record of each batch (`--every-record`: after
 * every record).
 *
 * `--sync`: the same work in a handler without `async` that returns the
 * last record's checkpoint instead of awaiting it (as the API allows: a
 * handler's promise, if any, is awaited): what a consumer saves by writing
 * it that way (W5's `ours/<runtime>+sync`; bench/README.md).
 *
 * Usage: `<runtime> bench/children/ours.ts [--every-record | --sync]`.
 *
 * @module
 */

import { run } from "../../mod.ts";

const globals = globalThis as unknown as { Deno?: { args: string[] }; process?: { argv: string[] } };
// Deno.args first: touching `process` on Deno loads its Node layer.
const args = globals.Deno?.args ?? globals.process?.argv.slice(2) ?? [];
const everyRecord = args.includes("--every-record");
const sync = args.includes("--sync");
let decodedBytes = 0;

function leaseLost(): void {
  if (decodedBytes < 0) console.error("unreachable");
}

await run(
  sync
    ? {
      processRecords({ records, checkpointer }) {
        for (const record of records) decodedBytes += record.data.length;
        const last = records.at(-1);
        return last === undefined ? undefined : checkpointer.checkpoint(last);
      },
      leaseLost,
    }
    : {
      async processRecords({ records, checkpointer }) {
        for (const record of records) {
          decodedBytes += record.data.length;
          if (everyRecord) await checkpointer.checkpoint(record);
        }
        const last = records.at(-1);
        if (!everyRecord && last !== undefined) await checkpointer.checkpoint(last);
      },
      leaseLost,
    },
);
