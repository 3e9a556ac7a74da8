// The `./processor.ts` that the README's FakeDaemon snippet imports: a processor that checkpoints each batch.
import type { RecordProcessor } from "@kcl/multilang";

export const processor: RecordProcessor = {
  async processRecords({ records, checkpointer }) {
    for (const record of records) record.text();
    await checkpointer.checkpoint();
  },
  async shardEnded({ checkpointer }) {
    await checkpointer.checkpoint();
  },
};
