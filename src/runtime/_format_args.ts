/**
 * `console`-style formatting of arguments into one string, for the stdout
 * guard on runtimes whose own console writes synchronously.
 *
 * @module
 */

/**
 * Formats `args` like `console.log` does: a leading format string's `%s`,
 * `%d`, `%i`, `%f`, `%j`, `%o`, `%O`, `%c` and `%%` are substituted, then the
 * remaining arguments follow, separated by spaces; strings print as they
 * are, anything else through `inspect`.
 */
export function formatArgs(args: readonly unknown[], inspect: (value: unknown) => string): string {
  const show = (value: unknown) => typeof value === "string" ? value : inspect(value);
  let next = 0;
  let text = "";
  const first = args[0];
  if (typeof first === "string") {
    next = 1;
    text = first.replace(/%[sdifjoOc%]/g, (spec) => {
      if (spec === "%%") return "%";
      if (next >= args.length) return spec;
      const value = args[next++];
      switch (spec) {
        case "%s":
          return typeof value === "bigint" ? `${value}n` : show(value);
        case "%d":
        case "%i":
          return typeof value === "bigint"
            ? `${value}n`
            : String(spec === "%i" ? parseInt(String(value)) : Number(value));
        case "%f":
          return String(parseFloat(String(value)));
        case "%j":
          return JSON.stringify(value) ?? "undefined";
        case "%c":
          return "";
        default:
          return inspect(value);
      }
    });
  }
  for (; next < args.length; next++) text += (text === "" && next === 0 ? "" : " ") + show(args[next]);
  return text;
}
