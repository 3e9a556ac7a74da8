/**
 * The local stack of the end-to-end test: kinesis-local (kinesis-mock built to JavaScript, which speaks the HTTP/2
 * cleartext the daemon's Kinesis client forces) and dynalite (DynamoDB), each a Node child on 127.0.0.1 on free
 * ports, plus the AWS SDK v3 clients a producer uses. Development only: see e2e/package.json.
 *
 * @module
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, type Shard } from "@aws-sdk/client-kinesis";
import { type AttributeValue, DynamoDBClient, ListTablesCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { readmeBlock } from "./project.ts";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");

/** Test credentials: the emulators accept any; the daemon reads them from the environment. */
export const TEST_ENV = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
};
export const REGION = "us-east-1";

/** A free TCP port on 127.0.0.1 (the OS picks it; it is free when this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      server.close(() => typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")));
    });
  });
}

/** One emulator process and the tail of its output (for failure reports). */
export class Emulator {
  readonly name: string;
  readonly child: ChildProcess;
  #tail: string[] = [];
  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") this.#tail.push(line);
      }
      if (this.#tail.length > 200) {
        this.#tail.splice(0, this.#tail.length - 200);
      }
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }
  tail(lines = 40): string {
    return this.#tail.slice(-lines).join("\n");
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The running stack: endpoints, clients, and stop(). */
export interface Stack {
  kinesisEndpoint: string;
  dynamoDBEndpoint: string;
  kinesis: KinesisClient;
  dynamo: DynamoDBClient;
  emulators: Emulator[];
  stop(): Promise<void>;
}

/** Retries `probe` until it resolves (the service is up) or `limitMs` passes. */
async function waitUntil(
  what: string,
  probe: () => Promise<unknown>,
  emulator: Emulator,
  limitMs = 120_000,
) {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (emulator.child.exitCode !== null) {
      throw new Error(
        `Cannot start ${what}: it exited with ${emulator.child.exitCode}\n${emulator.tail()}`,
      );
    }
    try {
      return await probe();
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(
    `Cannot start ${what}: not answering after ${limitMs} ms (${last})\n${emulator.tail()}`,
  );
}

/**
 * Starts kinesis-local and dynalite with `node` (the Node on PATH) on 127.0.0.1 and waits until both answer.
 * `createTableMs 0`: a table is ACTIVE at once, so the daemon does not wait 10 s for its lease table.
 */
export async function startStack(
  options: { node?: string } = {},
): Promise<Stack> {
  const node = options.node ?? "node";
  const [kinesisPort, kinesisTlsPort, dynamoPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const kinesisChild = spawn(
    node,
    [join(modules, "kinesis-local", "main.js")],
    {
      cwd: join(modules, "kinesis-local"),
      env: {
        ...process.env,
        KINESIS_MOCK_PLAIN_PORT: String(kinesisPort),
        KINESIS_MOCK_TLS_PORT: String(kinesisTlsPort),
        KINESIS_MOCK_CERT_PATH: join(modules, "kinesis-local", "server.json"),
        CREATE_STREAM_DURATION: "0ms",
        SPLIT_SHARD_DURATION: "0ms",
        MERGE_SHARDS_DURATION: "0ms",
        UPDATE_SHARD_COUNT_DURATION: "0ms",
        LOG_LEVEL: "WARN",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const dynamoChild = spawn(node, [
    join(modules, "dynalite", "cli.js"),
    "--host",
    "127.0.0.1",
    "--port",
    String(dynamoPort),
    "--createTableMs",
    "0",
    "--deleteTableMs",
    "0",
    "--updateTableMs",
    "0",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  const kinesisEmulator = new Emulator("kinesis-local", kinesisChild);
  const dynamoEmulator = new Emulator("dynalite", dynamoChild);
  const credentials = {
    accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
  };
  const kinesisEndpoint = `http://127.0.0.1:${kinesisPort}`;
  const dynamoDBEndpoint = `http://127.0.0.1:${dynamoPort}`;
  // HTTP/1.1: the SDK's default HTTP/2 handler fails on kinesis-local's empty bodies (CreateStream: ERR_HTTP2_ERROR).
  const kinesis = new KinesisClient({
    endpoint: kinesisEndpoint,
    region: REGION,
    credentials,
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler(),
  });
  const dynamo = new DynamoDBClient({
    endpoint: dynamoDBEndpoint,
    region: REGION,
    credentials,
    maxAttempts: 5,
  });
  const emulators = [kinesisEmulator, dynamoEmulator];
  // Never leave an emulator behind, even when the harness crashes.
  const killAll = () => emulators.forEach((emulator) => emulator.child.kill("SIGKILL"));
  process.once("exit", killAll);
  const stop = async () => {
    process.off("exit", killAll);
    kinesis.destroy();
    dynamo.destroy();
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  };
  try {
    await waitUntil(
      "kinesis-local",
      () =>
        kinesis.send(new ListShardsCommand({ StreamName: "none" })).catch(
          (e) => {
            if (e?.name === "ResourceNotFoundException") return;
            throw e;
          },
        ),
      kinesisEmulator,
    );
    await waitUntil(
      "dynalite",
      () => dynamo.send(new ListTablesCommand({})),
      dynamoEmulator,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kinesisEndpoint,
    dynamoDBEndpoint,
    kinesis,
    dynamo,
    emulators,
    stop,
  };
}

/**
 * Runs the README's `local_setup.mjs` against this stack (a stream of `shards` shards and the lease table `app` with
 * the index KCL 3.x would add by UpdateTable), waits until the stream is ACTIVE and returns its shards.
 */
export async function localSetup(stack: Stack, options: { stream: string; shards: number; app: string }) {
  const file = join(here, ".tmp", "local_setup.mjs");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, readmeBlock("// local_setup.mjs"));
  execFileSync("node", [file], {
    env: {
      ...process.env,
      STREAM: options.stream,
      SHARDS: String(options.shards),
      APP: options.app,
      KINESIS: stack.kinesisEndpoint,
      DYNAMODB: stack.dynamoDBEndpoint,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForStream(stack, options.stream);
  return await listShards(stack, options.stream);
}

/** Waits until the stream is ACTIVE again (after a create, split, merge or shard count update). */
export async function waitForStream(
  stack: Stack,
  name: string,
  limitMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const summary = await stack.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (summary.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    if (Date.now() > deadline) {
      throw new Error(`Stream ${name} is not ACTIVE after ${limitMs} ms`);
    }
    await sleep(100);
  }
}

/** Every shard of the stream, open and closed. */
export async function listShards(stack: Stack, name: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await stack.kinesis.send(
      new ListShardsCommand(
        token ? { NextToken: token } : { StreamName: name },
      ),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/** A lease as the lease table holds it (the attributes the tests read). */
export interface Lease {
  leaseKey: string;
  leaseOwner?: string;
  checkpoint?: string;
  checkpointSubSequenceNumber?: string;
  leaseCounter?: string;
  parentShardId?: string[];
  childShardIds?: string[];
  raw: Record<string, AttributeValue>;
}

/** Every lease in the application's lease table (an empty list when the table does not exist yet). */
export async function readLeases(
  stack: Stack,
  applicationName: string,
): Promise<Lease[]> {
  const leases: Lease[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    let page;
    try {
      page = await stack.dynamo.send(
        new ScanCommand({
          TableName: applicationName,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") {
        return [];
      }
      throw error;
    }
    for (const item of page.Items ?? []) {
      const lease: Lease = { leaseKey: item.leaseKey?.S ?? "?", raw: item };
      if (item.leaseOwner?.S !== undefined) {
        lease.leaseOwner = item.leaseOwner.S;
      }
      if (item.checkpoint?.S !== undefined) {
        lease.checkpoint = item.checkpoint.S;
      }
      if (item.checkpointSubSequenceNumber?.N !== undefined) {
        lease.checkpointSubSequenceNumber = item.checkpointSubSequenceNumber.N;
      }
      if (item.leaseCounter?.N !== undefined) {
        lease.leaseCounter = item.leaseCounter.N;
      }
      if (item.parentShardId?.SS !== undefined) {
        lease.parentShardId = item.parentShardId.SS;
      }
      if (item.childShardIds?.SS !== undefined) {
        lease.childShardIds = item.childShardIds.SS;
      }
      leases.push(lease);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return leases.sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
}

/** The example properties file the README shows and the e2e test runs: examples/local.properties. */
export const LOCAL_PROPERTIES = join(here, "..", "examples", "local.properties");

/**
 * The daemon properties for a consumer against this stack: examples/local.properties with executableName, the names
 * and the endpoints replaced, and `extra` keys set (replaced where the file has them, appended otherwise). Fails when
 * the example lacks a key it must set, so the example cannot drift from what the test runs.
 */
export function localProperties(stack: Stack, options: {
  executableName: string;
  applicationName: string;
  streamName: string;
  clientVersionConfig?: string;
  extra?: Record<string, string | number>;
}): string {
  const lines = readFileSync(LOCAL_PROPERTIES, "utf8").trimEnd().split("\n");
  const set = (key: string, value: string | number, required: boolean) => {
    const index = lines.findIndex((line) => new RegExp(`^${key}\\s*=`).test(line));
    if (index === -1 && required) throw new Error(`examples/local.properties does not set ${key}`);
    if (index === -1) lines.push(`${key} = ${value}`);
    else lines[index] = `${key} = ${value}`;
  };
  set("executableName", options.executableName, true);
  set("applicationName", options.applicationName, true);
  set("streamName", options.streamName, true);
  set("kinesisEndpoint", stack.kinesisEndpoint, true);
  set("dynamoDBEndpoint", stack.dynamoDBEndpoint, true);
  if (options.clientVersionConfig) set("clientVersionConfig", options.clientVersionConfig, false);
  for (const [key, value] of Object.entries(options.extra ?? {})) set(key, value, false);
  return lines.join("\n") + "\n";
}
