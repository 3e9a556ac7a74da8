/**
 * A `deno lint` plugin for the runtime-free folders (run by
 * `.ci/neutrality.ts`, never by the project's own lint): what the Web-only
 * type check cannot see, because a cast hides it.
 *
 * - `neutrality/no-global-object`: no `globalThis` (nor `self`, `window`,
 *   `global` where nothing in the file declares them). A global is named
 *   directly, so that the type check vets it; `(globalThis as any).process`,
 *   `(globalThis as any)["Deno"]` and `globalThis as unknown as { Bun: … }`
 *   all pass a type check.
 * - `neutrality/no-runtime-name`: no property, key, member or string naming
 *   a runtime object (`Deno`, `Bun`, `process`, `Buffer`, `require`, …), the
 *   same reach through any other object.
 *
 * @module
 */

/** Objects only a runtime has: code that names them belongs in `src/runtime/`. */
export const RUNTIME_NAMES: readonly string[] = [
  "Deno",
  "Bun",
  "process",
  "Buffer",
  "require",
  "module",
  "__dirname",
  "__filename",
  "setImmediate",
  "clearImmediate",
];

/** Names of the global object. */
const GLOBAL_OBJECTS: readonly string[] = ["globalThis", "self", "window", "global"];

/** A syntax node, as loosely as the checks below read it. */
type Node = { readonly type: string; readonly parent: Node; readonly [field: string]: unknown };

/** Whether `node` (an Identifier) only names a property or a declaration, not a variable in scope. */
function isPropertyName(node: Node): boolean {
  const parent = node.parent;
  switch (parent.type) {
    case "MemberExpression":
      return parent.property === node && parent.computed === false;
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
    case "TSPropertySignature":
    case "TSMethodSignature":
      return parent.key === node && parent.computed === false;
    default:
      return false;
  }
}

function nameOf(node: Node): string | undefined {
  if (node.type === "Identifier" || node.type === "PrivateIdentifier") return node.name as string;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && (node.expressions as unknown[]).length === 0) {
    return (node.quasis as { cooked: string | null }[])[0]?.cooked ?? undefined;
  }
  return undefined;
}

const loose = (node: Deno.lint.Node): Node => node as unknown as Node;

const plugin: Deno.lint.Plugin = {
  name: "neutrality",
  rules: {
    "no-global-object": {
      create(context) {
        const declared = new Set<string>();
        const uses: Deno.lint.Identifier[] = [];
        return {
          Identifier(node) {
            if (!GLOBAL_OBJECTS.includes(node.name) || isPropertyName(loose(node))) return;
            const parent = loose(node).parent;
            const declares = (parent.type === "VariableDeclarator" && parent.id === node) ||
              ((parent.type === "FunctionDeclaration" || parent.type === "ArrowFunctionExpression" ||
                parent.type === "FunctionExpression") && Array.isArray(parent.params) && parent.params.includes(node));
            if (declares) declared.add(node.name);
            else uses.push(node);
          },
          "Program:exit"() {
            for (const node of uses) {
              // globalThis is never a local name; the others are global only where nothing declares them.
              if (node.name !== "globalThis" && declared.has(node.name)) continue;
              context.report({
                node,
                message: `\`${node.name}\` reaches the global object past the Web-only type check`,
                hint: "Name a Web global directly (the type check vets it); runtime objects belong in src/runtime/",
              });
            }
          },
        };
      },
    },
    "no-runtime-name": {
      create(context) {
        const check = (key: Deno.lint.Node) => {
          const name = nameOf(loose(key));
          if (name === undefined || !RUNTIME_NAMES.includes(name)) return;
          context.report({
            node: key,
            message: `\`${name}\` names a runtime object`,
            hint: "Only src/runtime/ may touch Deno, Bun, process, Buffer or require",
          });
        };
        return {
          MemberExpression(node) {
            check(node.property);
          },
          Property(node) {
            check(node.key);
          },
          TSPropertySignature(node) {
            check(node.key);
          },
          TSMethodSignature(node) {
            check(node.key);
          },
          Identifier(node) {
            // A bare runtime global (the type check also fails on it) or a binding that shadows one.
            if (!isPropertyName(loose(node))) check(node);
          },
          Literal(node) {
            // `Reflect.get(anything, "process")` and the like: a string that is exactly a runtime name.
            const parent = loose(node).parent.type;
            if (parent !== "MemberExpression" && parent !== "Property") check(node);
          },
        };
      },
    },
  },
};

export default plugin;
