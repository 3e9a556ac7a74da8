/**
 * Temporary folders for tests: each test file makes what it needs with
 * {@linkcode tempDir} and removes them all once, from a file-level `after`.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created: string[] = [];

/** A fresh temporary folder, removed by {@linkcode removeTempDirs}. */
export async function tempDir(prefix = "kcl-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder {@linkcode tempDir} made (call from a file-level `after`). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
