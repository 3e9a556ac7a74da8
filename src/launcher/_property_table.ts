/**
 * The property names the MultiLangDaemon reads, and the value type of each
 * where the launcher checks it: data (`_daemon_properties.json`) read from a
 * named KCL release, so an "unknown key" can say which release's list it was
 * checked against.
 *
 * @module
 */

import data from "./_daemon_properties.json" with { type: "json" };

/** An enum property: the values the daemon accepts (it upper-cases the value first). */
export interface EnumType {
  /** The accepted values, upper case. */
  readonly enum: readonly string[];
  /** Values the daemon refuses although they look right, and what to do instead. */
  readonly hints?: Readonly<Record<string, string>>;
}

/** How the launcher checks a property's value; `string` is not checked. */
export type PropertyType = "string" | "int" | "long" | "double" | "boolean" | "duration" | EnumType;

/** The KCL release whose property list the launcher checks against. */
export const PROPERTY_LIST_KCL: string = data.kcl;

const TYPES = new Map<string, PropertyType>();
for (const group of data.groups) {
  for (const [key, type] of Object.entries(group.properties)) TYPES.set(key, type as PropertyType);
}

/** Every top-level key the daemon acts on, in the data file's order. */
export const DAEMON_PROPERTIES: readonly string[] = [...TYPES.keys()];

/** Nested beans: any `<prefix>.<property>` key is accepted. */
const DAEMON_PROPERTY_PREFIXES: readonly string[] = data.prefixes;

/**
 * The type of `key`'s value, or `undefined` when the daemon does not know
 * the key. Keys starting with `AwsCredentialsProvider` match ignoring case
 * (the daemon rewrites that prefix before its bean lookup); keys under a
 * nested bean's prefix are accepted unchecked.
 */
export function daemonPropertyType(key: string): PropertyType | undefined {
  const type = TYPES.get(key);
  if (type !== undefined) return type;
  if (/^awscredentialsprovider(dynamodb|cloudwatch)?$/i.test(key)) return "string";
  const dot = key.indexOf(".");
  return dot > 0 && DAEMON_PROPERTY_PREFIXES.includes(key.slice(0, dot)) ? "string" : undefined;
}
