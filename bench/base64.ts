/**
 * Base64 decoders compared in one process, in CPU time: one W1 batch's
 * payloads (10,000 records of 1,500 B), each decoder in turn, repeated;
 * prints the least CPU ms of each.
 *
 * ```sh
 * deno run --allow-read --allow-env bench/base64.ts
 * bun bench/base64.ts
 * node bench/base64.ts
 * deno bundle --quiet bench/base64.ts -o /tmp/base64.mjs && node20 /tmp/base64.mjs   # Node 20 runs no .ts
 * ```
 *
 * @module
 */

import process from "node:process";
import { decodeWithBuffer } from "../src/runtime/_node_base64.ts";
import { decodePortable } from "../src/session/_base64.ts";

const REPS = 25;
const WARM_UP = 5;

function atobLoop(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
const decoders: [string, (text: string) => Uint8Array][] = [
  ...(native === undefined ? [] : [["Uint8Array.fromBase64", native.bind(Uint8Array)] as [string, typeof native]]),
  ["Buffer.from (node:buffer)", decodeWithBuffer],
  ["portable (encodeInto + tables)", decodePortable],
  ["atob + loop", atobLoop],
];

const pool: string[] = [];
for (let i = 0; i < 97; i++) {
  let binary = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(1500))) binary += String.fromCharCode(byte);
  pool.push(btoa(binary));
}
// Distinct strings, as JSON.parse gives each record its own.
const payloads = Array.from({ length: 10_000 }, (_, i) => (pool[i % pool.length]! + " ").slice(0, -1));

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const least = new Map<string, number>();
for (let rep = 0; rep < WARM_UP + REPS; rep++) {
  for (const [name, decode] of decoders) {
    const start = cpuMs();
    let bytes = 0;
    for (const payload of payloads) bytes += decode(payload).length;
    const spent = cpuMs() - start;
    if (bytes !== payloads.length * 1500) throw new Error(`${name} decoded ${bytes} bytes`);
    if (rep >= WARM_UP) least.set(name, Math.min(least.get(name) ?? Infinity, spent));
  }
}
const versions = process.versions as Record<string, string | undefined>;
const runtime = versions.deno
  ? `Deno ${versions.deno}`
  : versions.bun
  ? `Bun ${versions.bun}`
  : `Node ${versions.node}`;
console.log(`${runtime}: CPU ms for 10,000 payloads of 1,500 B (least of ${REPS})`);
for (const [name, ms] of least) console.log(`  ${name.padEnd(32)} ${ms.toFixed(1).padStart(6)}`);
