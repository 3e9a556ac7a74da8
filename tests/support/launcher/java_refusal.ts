/**
 * Runs the launcher's two Java steps, `checkJava` and `runDaemon`, on the
 * `java` given as the first argument and prints, one JSON line each, the
 * error they fail with: run on Deno without `--allow-run`, both must keep
 * Deno's refusal as their cause and name it.
 */

import process from "node:process";
import { checkJava } from "../../../src/launcher/_java_runtime.ts";
import { runDaemon } from "../../../src/launcher/_run_daemon.ts";
import { LauncherError } from "../../../src/launcher/launcher_error.ts";
import { permissionRefusal } from "../../../src/runtime/cli.ts";

/** What a step failed with. */
export interface StepFailure {
  readonly step: string;
  readonly kind: string | undefined;
  readonly message: string;
  readonly refusal: string | undefined;
}

const java = process.argv[2] ?? "java";
const steps: [string, () => Promise<unknown>][] = [
  ["checkJava", () => checkJava(java, 8, "KCL 3.1.3")],
  ["runDaemon", () => runDaemon([java, "-version"])],
];
for (const [step, run] of steps) {
  let failure: StepFailure | undefined;
  try {
    await run();
  } catch (error) {
    failure = {
      step,
      kind: error instanceof LauncherError ? error.kind : undefined,
      message: error instanceof Error ? error.message : String(error),
      refusal: permissionRefusal(error)?.flag,
    };
  }
  process.stdout.write(`${JSON.stringify(failure ?? { step, kind: undefined, message: "ran", refusal: undefined })}\n`);
}
