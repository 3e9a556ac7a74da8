/**
 * A one-package npm registry for the package test: serves the tarball given
 * as `@kcl/multilang` (its packument and the tarball), so that
 * `deno add npm:@kcl/multilang` and `npm:@kcl/multilang/local` resolve as
 * they do from npmjs.com. Every other package is answered 404. Prints its
 * URL (`http://127.0.0.1:<port>/`) on stdout, then serves until killed.
 *
 *     deno run --allow-read --allow-net=127.0.0.1 npm_registry.ts <tarball>
 *
 * @module
 */

const [tarballPath] = Deno.args;
if (tarballPath === undefined) {
  console.error("Usage: npm_registry.ts <tarball>");
  Deno.exit(2);
}
const tarball = await Deno.readFile(tarballPath);
const manifest = await packageJsonOf(tarballPath);
const name = String(manifest.name);
const version = String(manifest.version);

async function packageJsonOf(path: string): Promise<Record<string, unknown>> {
  const tar = await new Deno.Command("tar", { args: ["-xzOf", path, "package/package.json"] }).output();
  if (!tar.success) throw new Error(`Cannot read package/package.json from ${path}`);
  return JSON.parse(new TextDecoder().decode(tar.stdout));
}

async function digest(algorithm: "SHA-1" | "SHA-512", encoding: "hex" | "base64"): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest(algorithm, tarball));
  return encoding === "hex"
    ? Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")
    : btoa(String.fromCharCode(...bytes));
}
const shasum = await digest("SHA-1", "hex");
const integrity = `sha512-${await digest("SHA-512", "base64")}`;
const file = `${name.split("/").at(-1)}-${version}.tgz`;

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
  const url = new URL(request.url);
  const path = decodeURIComponent(url.pathname);
  if (path === `/${name}`) {
    const base = `${url.origin}/`;
    return Response.json({
      name,
      "dist-tags": { latest: version },
      versions: { [version]: { ...manifest, dist: { tarball: `${base}${name}/-/${file}`, shasum, integrity } } },
    });
  }
  if (path === `/${name}/-/${file}`) {
    return new Response(tarball, { headers: { "content-type": "application/octet-stream" } });
  }
  return new Response("not found", { status: 404 });
});
console.log(`http://127.0.0.1:${server.addr.port}/`);
