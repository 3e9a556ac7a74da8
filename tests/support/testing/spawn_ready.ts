/**
 * Starting a real child without racing its start-up: the test waits until
 * the child says it is ready (a stderr line), so that the time limits of the
 * test measure only what it tests, however busy the machine is.
 */

import { type ChildOptions, FakeDaemon } from "../../../src/testing/mod.ts";

/** How long a child may take to start on a saturated machine before the test gives up (a failure, not a measure). */
const START_LIMIT_MS = 60_000;

/** Spawns `command` under a FakeDaemon and resolves once the child wrote the stderr line `ready`. */
export async function spawnReady(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
  ready = "ready",
): Promise<FakeDaemon> {
  let markReady = (): void => {};
  const isReady = new Promise<void>((resolve) => (markReady = resolve));
  const daemon = await FakeDaemon.spawn(command, args, {
    ...options,
    onStderr(line) {
      options.onStderr?.(line);
      if (line === ready) markReady();
    },
  });
  if (daemon.pid === undefined) {
    await daemon.kill();
    throw new Error(`Cannot start ${command}: no process was started`);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cannot start ${command}: it did not write "${ready}" within ${START_LIMIT_MS} ms`)),
      START_LIMIT_MS,
    );
  });
  try {
    await Promise.race([isReady, late]);
  } catch (error) {
    await daemon.kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return daemon;
}
