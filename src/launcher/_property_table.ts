/**
 * The property names the MultiLangDaemon reads, and the value type of each
 * where the launcher checks it, one table per offered KCL release: data
 * (`_daemon_properties.json`) that `.ci/classpath_sets.ts` reads from each
 * release's jars, so an "unknown key" names the release it was checked against.
 *
 * @module
 */

import data from "./_daemon_properties.json" with { type: "json" };
import { DEFAULT_KCL_VERSION } from "./classpath_sets.ts";

/** An enum property: the values the daemon accepts (it upper-cases the value first). */
export interface EnumType {
  /** The accepted values, upper case. */
  readonly enum: readonly string[];
  /** Values the daemon refuses although they look right, and what to do instead. */
  readonly hints?: Readonly<Record<string, string>>;
}

/** How the launcher checks a property's value; `string` is not checked. */
export type PropertyType = "string" | "int" | "long" | "double" | "boolean" | "duration" | EnumType;

/** One release's table. */
interface Table {
  readonly kcl: string;
  readonly types: ReadonlyMap<string, PropertyType>;
  readonly prefixes: readonly string[];
  readonly anyCasePrefixes: readonly string[];
}

const TABLES: readonly Table[] = data.tables.map((table) => ({
  kcl: table.kcl,
  types: new Map(
    table.groups.flatMap((group) =>
      Object.entries(group.properties).map(([key, type]) => [key, type as PropertyType] as const)
    ),
  ),
  prefixes: table.prefixes,
  anyCasePrefixes: table.anyCasePrefixes,
}));

/** The release whose table checks properties for `kcl`: its own, else the default release's. */
export function propertyListRelease(kcl: string = DEFAULT_KCL_VERSION): string {
  return tableOf(kcl).kcl;
}

function tableOf(kcl: string = DEFAULT_KCL_VERSION): Table {
  const table = TABLES.find((candidate) => candidate.kcl === kcl) ??
    TABLES.find((candidate) => candidate.kcl === DEFAULT_KCL_VERSION);
  if (table === undefined) throw new Error(`Cannot find the property table of KCL ${DEFAULT_KCL_VERSION}`);
  return table;
}

/** Every top-level key the daemon of `kcl` acts on, in the table's order. */
export function daemonProperties(kcl?: string): readonly string[] {
  return [...tableOf(kcl).types.keys()];
}

/**
 * The type of `key`'s value in KCL `kcl`'s table, or `undefined` when the
 * daemon does not know the key. A key starting with one of the table's
 * any-case prefixes (KCL 3: `awsCredentialsProvider`) gets that spelling
 * first, as the daemon does before its bean lookup; keys under a nested
 * bean's prefix are accepted unchecked.
 */
export function daemonPropertyType(key: string, kcl?: string): PropertyType | undefined {
  const table = tableOf(kcl);
  const prefix = table.anyCasePrefixes.find((candidate) => key.toLowerCase().startsWith(candidate.toLowerCase()));
  const name = prefix === undefined ? key : `${prefix}${key.slice(prefix.length)}`;
  const type = table.types.get(name);
  if (type !== undefined) return type;
  const dot = name.indexOf(".");
  return dot > 0 && table.prefixes.includes(name.slice(0, dot)) ? "string" : undefined;
}
