/**
 * The official `aws-kcl` npm package (installed into `bench/.peers/` by the
 * bench task) with a v2 record processor equivalent to `ours.ts`:
 * `Buffer.from(data, "base64")` per record, checkpoint the last record of
 * each batch (`--every-record`: after every record). Node only.
 *
 * Usage: `node bench/children/aws_kcl.ts [--every-record]`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";

interface AwsRecord {
  data: string;
  sequenceNumber: string;
}

type Done = () => void;

interface AwsCheckpointer {
  checkpoint(sequenceNumber: string | null, callback: (error: unknown) => void): void;
}

interface AwsProcessor {
  initialize(input: unknown, done: Done): void;
  processRecords(input: { records: AwsRecord[]; checkpointer: AwsCheckpointer }, done: Done): void;
  leaseLost(input: unknown, done: Done): void;
  shardEnded(input: { checkpointer: AwsCheckpointer }, done: Done): void;
}

// Resolved from the bench's peers folder (the child runs in the repository root), so that the compiled copy finds it too.
const require = createRequire(join(process.cwd(), "bench/.peers/package.json"));
const kcl = require("aws-kcl") as (processor: AwsProcessor) => { run(): void };
const everyRecord = process.argv.includes("--every-record");
let decodedBytes = 0;

kcl({
  initialize(_input, done) {
    done();
  },
  processRecords({ records, checkpointer }, done) {
    if (!everyRecord) {
      for (const record of records) decodedBytes += Buffer.from(record.data, "base64").length;
      const last = records.at(-1);
      if (last === undefined) return done();
      return checkpointer.checkpoint(last.sequenceNumber, () => done());
    }
    let index = 0;
    const step = (): void => {
      const record = records[index++];
      if (record === undefined) return done();
      decodedBytes += Buffer.from(record.data, "base64").length;
      checkpointer.checkpoint(record.sequenceNumber, step);
    };
    step();
  },
  leaseLost(_input, done) {
    if (decodedBytes < 0) process.stderr.write("unreachable\n");
    done();
  },
  shardEnded({ checkpointer }, done) {
    checkpointer.checkpoint(null, () => done());
  },
}).run();
