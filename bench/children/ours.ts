/**
 * Our child, as an `examples/`-style consumer: decodes every record's data
 * and checkpoints the last record of each batch (`--every-record`: after
 * every record).
 *
 * Usage: `<runtime> bench/children/ours.ts [--every-record]`.
 *
 * @module
 */

import { run } from "../../mod.ts";

const globals = globalThis as unknown as { Deno?: { args: string[] }; process?: { argv: string[] } };
// Deno.args first: touching `process` on Deno loads its Node layer.
const args = globals.Deno?.args ?? globals.process?.argv.slice(2) ?? [];
const everyRecord = args.includes("--every-record");
let decodedBytes = 0;

await run({
  async processRecords({ records, checkpointer }) {
    for (const record of records) {
      decodedBytes += record.data.length;
      if (everyRecord) await checkpointer.checkpoint(record);
    }
    const last = records.at(-1);
    if (!everyRecord && last !== undefined) await checkpointer.checkpoint(last);
  },
  leaseLost() {
    if (decodedBytes < 0) console.error("unreachable");
  },
});
