/**
 * Reads one line the child wrote during an action, as the real daemon's
 * parser does: a checkpoint request, a status, or a line the daemon would
 * skip (reported as a {@linkcode Violation} with the reason).
 *
 * @module
 */

import type { Violation, ViolationKind } from "./violation.ts";

/** One line of the child, read during `action`. */
export type ChildLine =
  /** An empty line: the real daemon skips it silently. */
  | { readonly kind: "blank" }
  /** A line the real daemon skips (and keeps waiting). */
  | { readonly kind: "skipped"; readonly violation: Violation }
  /** A checkpoint request with well-typed fields. */
  | {
    readonly kind: "checkpoint";
    readonly sequenceNumber: string | null;
    readonly subSequenceNumber: number | null;
  }
  /** A status; `violation` is set when it names another action (the real daemon exits). */
  | { readonly kind: "status"; readonly responseFor: string; readonly violation: Violation | null };

const STATUS_KEYS: ReadonlySet<string> = new Set(["action", "responseFor"]);
const CHECKPOINT_KEYS: ReadonlySet<string> = new Set(["action", "sequenceNumber", "subSequenceNumber", "error"]);

/** Classifies `line`, written by the child while `action` was in flight. */
export function readChildLine(line: string, action: string): ChildLine {
  if (line === "") return { kind: "blank" };
  const violation: Blame = (kind, message) => ({ kind, message, line, action });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return skip(violation(
      "invalid-json",
      "The child wrote a line that is not JSON on stdout; the real daemon skips it, and a partial line " +
        "glues onto the next one (keep stdout for protocol lines only)",
    ));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("action" in value)) {
    return skip(
      violation(
        "not-a-message",
        'The child wrote JSON that is not an object with an "action"; the real daemon skips it',
      ),
    );
  }
  const message = value as Record<string, unknown>;
  switch (message.action) {
    case "checkpoint":
      return readCheckpoint(message, violation);
    case "status":
      return readStatus(message, action, violation);
    default:
      return skip(violation(
        "unexpected-action",
        `The child wrote a message with action ${
          JSON.stringify(message.action)
        }; the daemon only reads "status" and "checkpoint" and skips it`,
      ));
  }
}

/** Builds the violation of the line being read. */
type Blame = (kind: ViolationKind, message: string) => Violation;

function skip(violation: Violation): ChildLine {
  return { kind: "skipped", violation };
}

function readCheckpoint(message: Record<string, unknown>, violation: Blame): ChildLine {
  const unknown = unknownKeys(message, CHECKPOINT_KEYS, "checkpoint", violation);
  if (unknown !== undefined) return skip(unknown);
  const { sequenceNumber, subSequenceNumber } = message;
  if (sequenceNumber !== undefined && sequenceNumber !== null && typeof sequenceNumber !== "string") {
    return skip(violation(
      "invalid-field",
      `The child wrote a checkpoint whose sequenceNumber is ${
        JSON.stringify(sequenceNumber)
      }; it must be a string of digits or null (a number loses digits); the line is skipped`,
    ));
  }
  if (subSequenceNumber !== undefined && subSequenceNumber !== null && !Number.isSafeInteger(subSequenceNumber)) {
    return skip(violation(
      "invalid-field",
      `The child wrote a checkpoint whose subSequenceNumber is ${
        JSON.stringify(subSequenceNumber)
      }; it must be an integer or null; the line is skipped`,
    ));
  }
  return {
    kind: "checkpoint",
    sequenceNumber: (sequenceNumber ?? null) as string | null,
    subSequenceNumber: (subSequenceNumber ?? null) as number | null,
  };
}

function readStatus(message: Record<string, unknown>, action: string, violation: Blame): ChildLine {
  const unknown = unknownKeys(message, STATUS_KEYS, "status", violation);
  if (unknown !== undefined) return skip(unknown);
  const responseFor = message.responseFor;
  if (typeof responseFor !== "string") {
    return skip(violation(
      "invalid-field",
      `The child wrote a status whose responseFor is ${
        JSON.stringify(responseFor) ?? "missing"
      }; it must be the action's name; the line is skipped`,
    ));
  }
  if (responseFor === action) return { kind: "status", responseFor, violation: null };
  // Still a status: the fake daemon goes on (to report more), where the real one would exit.
  const wrong = violation(
    "wrong-response-for",
    `The child answered ${action} with a status for ${
      JSON.stringify(responseFor)
    }; the real daemon exits, stopping every shard of the worker`,
  );
  return { kind: "status", responseFor, violation: wrong };
}

/** The daemon's parser rejects unknown keys: the line is skipped and the daemon waits forever. */
function unknownKeys(
  message: Record<string, unknown>,
  known: ReadonlySet<string>,
  kind: string,
  violation: Blame,
): Violation | undefined {
  const unknown = Object.keys(message).filter((key) => !known.has(key));
  if (unknown.length === 0) return undefined;
  return violation(
    "unknown-key",
    `The child wrote a ${kind} with unknown key(s) ${
      unknown.map((key) => JSON.stringify(key)).join(", ")
    }; the real daemon skips the line and waits forever (allowed: ${[...known].join(", ")})`,
  );
}
