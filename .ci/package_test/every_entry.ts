// Every entry point of the installed package, for a type check of the shipped .d.ts (tsconfig.es2022.json).
export type * as root from "@kcl/multilang";
export type * as protocol from "@kcl/multilang/protocol";
export type * as batch from "@kcl/multilang/batch";
export type * as testing from "@kcl/multilang/testing";
export type * as local from "@kcl/multilang/local";
export type * as launcher from "@kcl/multilang/launcher";
