/**
 * `deno task stack`: starts kinesis-local and dynalite on 127.0.0.1, runs the README's local_setup.mjs (a stream,
 * and the lease table with the index KCL 3.x would add by UpdateTable), writes the daemon properties file to use and prints it; then
 * waits until Ctrl+C. Run any consumer under the real daemon against it, without AWS or Docker:
 *
 *     deno task stack --stream orders --shards 2 --app orders-local --out local.properties \
 *       --executable "node consumer.mjs"
 *     AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx kcl-launcher --properties local.properties
 *
 * Put records with any Kinesis client (endpoint printed below), e.g. `--put 100` puts 100 JSON events at start.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { localProperties, localSetup, startStack } from "./stack.ts";
import { putEvents } from "./producer.ts";

const { values } = parseArgs({
  options: {
    stream: { type: "string", default: "orders" },
    shards: { type: "string", default: "2" },
    app: { type: "string", default: "orders-local" },
    out: { type: "string", default: "local.properties" },
    executable: { type: "string", default: "node consumer.mjs" },
    put: { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(
    "Usage: deno task stack [--stream orders] [--shards 2] [--app orders-local] [--out local.properties]\n" +
      '                       [--executable "node consumer.mjs"] [--put N]',
  );
  process.exit(0);
}

const stack = await startStack();
const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

const shards = await localSetup(stack, { stream: values.stream, shards: Number(values.shards), app: values.app });
const properties = localProperties(stack, {
  executableName: values.executable,
  applicationName: values.app,
  streamName: values.stream,
});
writeFileSync(values.out, properties);
const put = Number(values.put);
if (put > 0) await putEvents(stack, values.stream, put);
console.log(
  `kinesis-local: ${stack.kinesisEndpoint} (stream ${values.stream}, ${shards.length} shards)`,
);
console.log(
  `dynalite:      ${stack.dynamoDBEndpoint} (lease table ${values.app} with LeaseOwnerToLeaseKeyIndex)`,
);
if (put > 0) console.log(`put ${put} records`);
console.log(`\n${values.out}:\n\n${properties}`);
console.log(
  "Then: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx kcl-launcher --properties " +
    values.out,
);
console.log("Ctrl+C stops the emulators (their data is in memory).");
