// The README's consumer, made to fail at its 300th record for scenario g: FAULT=throw throws from processRecords,
// FAULT=exit ends the process (exit code 3), FAULT=junk writes a line that is not JSON to file descriptor 1, the
// protocol channel (process.stdout.write and console.* would go to stderr: the library guards stdout). Without FAULT it
// is "the fix". It prints one line per record (partition key, sequence number, event type) like the README's consumer.
import { run } from "@kcl/multilang";
import { writeSync } from "node:fs";
import process from "node:process";

const fault = process.env.FAULT;
let seen = 0;

await run({
  async processRecords({ records, checkpointer }) {
    for (const record of records) {
      console.log(record.partitionKey, record.sequenceNumber, record.json().type);
      if (++seen !== 300) continue;
      if (fault === "throw") throw new Error(`poison record ${record.sequenceNumber}`);
      if (fault === "exit") process.exit(3);
      if (fault === "junk") writeSync(1, "this is not JSON\n");
    }
    await checkpointer.checkpoint();
  },
  async shutdownRequested({ checkpointer }) {
    await checkpointer.checkpoint();
  },
  async shardEnded({ checkpointer }) {
    await checkpointer.checkpoint();
  },
});
