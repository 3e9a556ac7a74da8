/**
 * Checks a property value the way the daemon will read it: numbers and
 * booleans through Apache BeanUtils' converters (which trim, and which turn
 * a value they cannot read into a default without a word), durations with
 * `java.time.Duration.parse`, enums with `valueOf` of the upper-cased value
 * (which does not trim).
 *
 * @module
 */

import { closestName } from "../cli/closest_name.ts";
import type { PropertyType } from "./_property_table.ts";

const INT_RANGE = { min: -(2n ** 31n), max: 2n ** 31n - 1n, name: "an int" };
const LONG_RANGE = { min: -(2n ** 63n), max: 2n ** 63n - 1n, name: "a long" };
const BOOLEANS = ["true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"];
// java.time.Duration.parse's grammar (case-insensitive).
const DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/** What is wrong with `value` for `key`, with the fix, or `undefined` when the daemon will read it as meant. */
export function checkPropertyValue(key: string, value: string, type: PropertyType): string | undefined {
  if (type === "string") return undefined;
  const trimmed = value.trim();
  const shown = `\`${key}\` is \`${value}\``;
  if (trimmed === "") return `\`${key}\` is empty: set a value or remove the line`;
  switch (type) {
    case "int":
    case "long": {
      const range = type === "int" ? INT_RANGE : LONG_RANGE;
      if (!/^[+-]?\d+$/.test(trimmed)) return `${shown}, not a whole number`;
      const number = BigInt(trimmed);
      if (number < range.min || number > range.max) {
        return `${shown}, out of range for ${range.name} (${range.min} to ${range.max})`;
      }
      return undefined;
    }
    case "double":
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? undefined : `${shown}, not a number`;
    case "boolean": {
      if (BOOLEANS.includes(trimmed.toLowerCase())) return undefined;
      const suggestion = closestName(trimmed, ["true", "false"]);
      return `${shown}, not a boolean (true or false)${
        suggestion === undefined ? "" : `; did you mean \`${suggestion}\`?`
      }`;
    }
    case "duration":
      return isDuration(trimmed)
        ? undefined
        : `${shown}, not an ISO-8601 duration of zero or more (e.g. PT30S, PT1H, P1D)`;
    default: {
      const upper = value.toUpperCase();
      if (type.enum.includes(upper)) return undefined;
      const hint = type.hints?.[upper.trim()];
      if (hint !== undefined) return `${shown}: ${hint}`;
      if (type.enum.includes(upper.trim())) {
        return `${shown} with spaces around it, which the daemon keeps and then rejects: remove them`;
      }
      const suggestion = closestName(trimmed, type.enum);
      return `${shown}, not one of ${type.enum.join(", ")}${
        suggestion === undefined ? "" : `; did you mean \`${suggestion}\`?`
      }`;
    }
  }
}

function isDuration(text: string): boolean {
  const match = DURATION.exec(text);
  if (match === null) return false;
  const [, sign, days, hours, minutes, seconds, fraction] = match;
  if (days === undefined && hours === undefined && minutes === undefined && seconds === undefined) return false;
  // "PT" alone is refused: a T must be followed by a component.
  if (/T$/i.test(text)) return false;
  const total = (Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 +
    Number(seconds ?? 0) + (seconds?.startsWith("-") ? -1 : 1) * Number(`0.${fraction ?? 0}`)) *
    (sign === "-" ? -1 : 1);
  // The daemon's DurationConverter refuses negative durations.
  return total >= 0;
}
