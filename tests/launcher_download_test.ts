import assert from "node:assert/strict";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findMissingJars } from "../src/launcher/_cache_check.ts";
import { ensureJars, type EnsureJarsOptions } from "../src/launcher/_maven_download.ts";
import { artifactPath } from "../src/launcher/maven_artifact.ts";
import { LauncherError, type MavenArtifact } from "../src/launcher/mod.ts";
import { expectedDigests } from "../src/launcher/_jar_digests.ts";
import { jarBytes, type MavenServer, sha1, sha256, startMavenServer } from "./support/launcher/maven_server.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

const ARTIFACTS: MavenArtifact[] = [
  { groupId: "com.example", artifactId: "alpha", version: "1.0" },
  { groupId: "com.example", artifactId: "beta", version: "2.0" },
  { groupId: "org.sample.deep", artifactId: "gamma", version: "3.1" },
];
const [ALPHA, BETA, GAMMA] = ARTIFACTS.map(artifactPath) as [
  string,
  string,
  string,
];
const FAST = { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 };

const launcherError = (kind: string, message: string) => (error: unknown): boolean => {
  assert.ok(error instanceof LauncherError);
  assert.equal(error.message, message);
  assert.equal(error.kind, kind);
  return true;
};

describe("ensureJars", () => {
  let server: MavenServer;
  let flakyServer: MavenServer;
  before(async () => {
    server = await startMavenServer({ corrupt: [BETA], missing: [GAMMA] });
    flakyServer = await startMavenServer({ flaky: new Map([[BETA, 2]]) });
  });
  after(async () => {
    await server.close();
    await flakyServer.close();
  });

  const options = (
    cacheDir: string,
    log: string[],
    extra: Partial<EnsureJarsOptions> = {},
  ): EnsureJarsOptions => ({
    repository: flakyServer.url,
    cacheDir,
    retry: FAST,
    log: (text) => void log.push(text),
    ...extra,
  });

  it("downloads, verifies and caches every jar, then reuses the cache without a request", async () => {
    const cacheDir = await tempDir();
    const log: string[] = [];
    const good = await startMavenServer();
    try {
      const result = await ensureJars(
        ARTIFACTS,
        options(cacheDir, log, { repository: good.url }),
      );
      const bytes = ARTIFACTS.reduce(
        (sum, a) => sum + jarBytes(artifactPath(a)).length,
        0,
      );
      assert.deepEqual(result, {
        jars: ARTIFACTS.map((a) => join(cacheDir, "jars", ...artifactPath(a).split("/"))),
        downloaded: 3,
        bytes,
      });
      for (const [index, jar] of result.jars.entries()) {
        assert.deepEqual(
          new Uint8Array(await readFile(jar)),
          jarBytes(artifactPath(ARTIFACTS[index]!)),
        );
      }
      assert.deepEqual(log, [
        `Downloading 3 of 3 jars from ${good.url}\n`,
        `Downloaded 3 jars (${(bytes / 1000).toFixed(1)} kB) into ${join(cacheDir, "jars")}\n`,
      ]);
      assert.equal(good.requests.length, 6);

      const again = await ensureJars(
        ARTIFACTS,
        options(cacheDir, log, { repository: good.url }),
      );
      assert.equal(again.downloaded, 0);
      assert.deepEqual(again.jars, result.jars);
      assert.equal(good.requests.length, 6);
      assert.deepEqual(await findMissingJars(ARTIFACTS, cacheDir), []);
    } finally {
      await good.close();
    }
  });

  it("checks a jar with a pinned digest against it alone, refusing other bytes before they are cached", async () => {
    const cacheDir = await tempDir();
    const good = await startMavenServer();
    try {
      const bytes = jarBytes(ALPHA);
      const pinned: MavenArtifact = { ...ARTIFACTS[0]!, sha256: sha256(bytes), size: bytes.length };
      const before = good.requests.length;
      const expected = expectedDigests({ kcl: "test", javaMin: 8, basis: "test", artifacts: [pinned] }, undefined);
      const result = await ensureJars([pinned], options(cacheDir, [], { repository: good.url, expected }));
      assert.equal(result.downloaded, 1);
      assert.deepEqual(good.requests.slice(before), [ALPHA], "no .sha1 request for a pinned jar");

      const wrong: MavenArtifact = { ...ARTIFACTS[1]!, sha256: "e".repeat(64), size: 7 };
      const served = jarBytes(BETA);
      await assert.rejects(
        ensureJars(
          [wrong],
          options(cacheDir, [], {
            repository: good.url,
            expected: expectedDigests({ kcl: "test", javaMin: 8, basis: "test", artifacts: [wrong] }, undefined),
          }),
        ),
        launcherError(
          "checksum",
          `Cannot use com.example:beta:2.0: the jar downloaded from ${good.url}/${BETA} has SHA-256 ${
            sha256(served)
          } (${served.length} bytes), but the launcher's KCL test list pins ${"e".repeat(64)} (7 bytes); the ` +
            "repository serves other bytes than Maven Central did when the launcher's list was made: check the " +
            "repository or mirror (--repository)",
        ),
      );
      assert.deepEqual(await findMissingJars([wrong], cacheDir), [wrong]);
      assert.deepEqual(await readdir(dirname(join(cacheDir, "jars", BETA))), []);
    } finally {
      await good.close();
    }
  });

  it("re-downloads a cached jar whose size no longer matches its verified note", async () => {
    const cacheDir = await tempDir();
    const good = await startMavenServer();
    try {
      const { jars } = await ensureJars(
        ARTIFACTS,
        options(cacheDir, [], { repository: good.url }),
      );
      await writeFile(jars[1]!, "truncated");
      assert.deepEqual(await findMissingJars(ARTIFACTS, cacheDir), [
        ARTIFACTS[1],
      ]);
      const result = await ensureJars(
        ARTIFACTS,
        options(cacheDir, [], { repository: good.url }),
      );
      assert.equal(result.downloaded, 1);
      assert.deepEqual(
        new Uint8Array(await readFile(jars[1]!)),
        jarBytes(BETA),
      );
    } finally {
      await good.close();
    }
  });

  it("rejects a jar whose digest does not match and leaves nothing in the cache", async () => {
    const cacheDir = await tempDir();
    const url = `${server.url}/${BETA}`;
    await assert.rejects(
      ensureJars(
        [ARTIFACTS[1]!],
        options(cacheDir, [], { repository: server.url }),
      ),
      launcherError(
        "checksum",
        `Cannot verify com.example:beta:2.0: the SHA-1 of ${url} is ${sha1(jarBytes(BETA))}, but ${url}.sha1 says ${
          "0".repeat(40)
        }`,
      ),
    );
    const folder = join(cacheDir, "jars", dirname(BETA));
    assert.deepEqual(await readdir(folder), []);
    assert.deepEqual(await findMissingJars([ARTIFACTS[1]!], cacheDir), [
      ARTIFACTS[1],
    ]);
  });

  it("names the artifact and URL of a 404", async () => {
    const cacheDir = await tempDir();
    await assert.rejects(
      ensureJars(
        [ARTIFACTS[2]!],
        options(cacheDir, [], { repository: server.url }),
      ),
      launcherError(
        "download",
        `Cannot download org.sample.deep:gamma:3.1: ${server.url}/${GAMMA}.sha1 returned HTTP 404`,
      ),
    );
  });

  it("retries 503 with backoff and then succeeds", async () => {
    const cacheDir = await tempDir();
    const before = flakyServer.requests.length;
    const result = await ensureJars([ARTIFACTS[1]!], options(cacheDir, []));
    assert.equal(result.downloaded, 1);
    assert.deepEqual(flakyServer.requests.slice(before), [
      `${BETA}.sha1`,
      BETA,
      BETA,
      BETA,
    ]);
    assert.deepEqual(
      new Uint8Array(await readFile(result.jars[0]!)),
      jarBytes(BETA),
    );
  });

  it("gives up after the last retry and names the status", async () => {
    const cacheDir = await tempDir();
    const busy = await startMavenServer({ flaky: new Map([[ALPHA, 10]]) });
    try {
      await assert.rejects(
        ensureJars(
          [ARTIFACTS[0]!],
          options(cacheDir, [], {
            repository: busy.url,
            retry: { ...FAST, attempts: 3 },
          }),
        ),
        launcherError(
          "download",
          `Cannot download com.example:alpha:1.0: ${busy.url}/${ALPHA} returned HTTP 503 (gave up after 3 attempts)`,
        ),
      );
    } finally {
      await busy.close();
    }
  });

  it("retries a 429 after the delay its Retry-After asks for", async () => {
    const cacheDir = await tempDir();
    let requests = 0;
    const waits: number[] = [];
    const result = await ensureJars([ARTIFACTS[0]!], {
      cacheDir,
      repository: "http://127.0.0.1:9/maven2",
      retry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 60_000 },
      // Recorded, not slept: the backoff alone would wait 0 ms.
      wait: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      fetch: (input) => {
        requests++;
        if (requests === 1) {
          return Promise.resolve(new Response(null, { status: 429, headers: { "retry-after": "1" } }));
        }
        const body = jarBytes(ALPHA) as Uint8Array<ArrayBuffer>;
        return Promise.resolve(new Response(String(input).endsWith(".sha1") ? sha1(body) : body));
      },
    });
    assert.equal(result.downloaded, 1);
    assert.equal(requests, 3);
    assert.deepEqual(waits, [1000]);
  });

  it("retries, then gives up on, a repository that accepts the connection and never answers", async () => {
    const cacheDir = await tempDir();
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const repository = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/maven2`;
    const waits: number[] = [];
    try {
      // A short idle timeout: every attempt is meant to run into it.
      await assert.rejects(
        ensureJars([ARTIFACTS[0]!], {
          cacheDir,
          repository,
          retry: { ...FAST, attempts: 2 },
          idleTimeoutMs: 50,
          wait: (ms) => {
            waits.push(ms);
            return Promise.resolve();
          },
        }),
        launcherError(
          "download",
          `Cannot download com.example:alpha:1.0: ${repository}/${ALPHA}.sha1 sent no data for 0.05 s (gave up after 2 attempts)`,
        ),
      );
      assert.equal(waits.length, 1, "retried once");
      assert.ok(sockets.length > 0, "the repository accepted the connection");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("fails an attempt whose body stops coming, and leaves nothing in the cache", async () => {
    const cacheDir = await tempDir();
    const body = jarBytes(ALPHA) as Uint8Array<ArrayBuffer>;
    let jarRequests = 0;
    await assert.rejects(
      ensureJars([ARTIFACTS[0]!], {
        cacheDir,
        repository: "http://127.0.0.1:9/maven2",
        retry: { ...FAST, attempts: 2 },
        // Meant to run out while the body stalls; the .sha1 answers from memory, far within it.
        idleTimeoutMs: 500,
        wait: () => Promise.resolve(),
        fetch: (input) => {
          if (String(input).endsWith(".sha1")) return Promise.resolve(new Response(sha1(body)));
          jarRequests++;
          // The first bytes, then nothing more: the connection stays open, silent.
          const stalled = new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(body.slice(0, 10)),
          });
          return Promise.resolve(new Response(stalled));
        },
      }),
      launcherError(
        "download",
        `Cannot download com.example:alpha:1.0: http://127.0.0.1:9/maven2/${ALPHA} sent no data for 0.5 s (gave up after 2 attempts)`,
      ),
    );
    assert.equal(jarRequests, 2);
    assert.deepEqual(await readdir(join(cacheDir, "jars", dirname(ALPHA))), []);
  });

  it("retries a refused connection as a network error", async () => {
    const cacheDir = await tempDir();
    const gone = await startMavenServer();
    await gone.close();
    await assert.rejects(
      ensureJars(
        [ARTIFACTS[0]!],
        options(cacheDir, [], {
          repository: gone.url,
          retry: { ...FAST, attempts: 2 },
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof LauncherError);
        assert.equal(error.kind, "download");
        assert.match(
          error.message,
          /^Cannot download com\.example:alpha:1\.0: http:\/\/127\.0\.0\.1:\d+\/maven2\/.*\.sha1 failed: .*\(gave up after 2 attempts\)$/s,
        );
        // The cause, not just "fetch failed": Node says ECONNREFUSED, Deno "Connection refused", Bun both.
        assert.match(error.message, /ECONNREFUSED|Connection refused/i);
        assert.ok(error.cause !== undefined);
        return true;
      },
    );
  });

  it("works offline from the cache and names what is missing", async () => {
    const cacheDir = await tempDir();
    await assert.rejects(
      ensureJars(ARTIFACTS, options(cacheDir, [], { offline: true })),
      launcherError(
        "offline",
        `Cannot run offline: 3 of 3 jars are not in the cache ${
          join(cacheDir, "jars")
        } (first missing: com.example:alpha:1.0)`,
      ),
    );
    const good = await startMavenServer();
    try {
      await ensureJars(
        ARTIFACTS,
        options(cacheDir, [], { repository: good.url }),
      );
    } finally {
      await good.close();
    }
    const result = await ensureJars(
      ARTIFACTS,
      options(cacheDir, [], {
        offline: true,
        repository: "http://127.0.0.1:9/none",
      }),
    );
    assert.equal(result.downloaded, 0);
    assert.ok((await stat(result.jars[2]!)).isFile());
  });
});
