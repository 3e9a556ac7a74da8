import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { closestName, LauncherError, lintProperties, parseProperties } from "../src/launcher/mod.ts";
import { tempDir } from "./support/launcher/run_launcher.ts";

const VALID = [
  "executableName = sh consumer.sh",
  "applicationName = orders",
  "streamName = orders",
  "shutdownGraceMillis = 30000",
].join("\n");

const messages = async (text: string, options = {}): Promise<string[]> =>
  (await lintProperties(parseProperties(text), options)).map((f) => `${f.severity} ${f.line}: ${f.message}`);

describe("parseProperties", () => {
  it("skips # and ! comments and blank lines", () => {
    assert.deepEqual(parseProperties("# a\n  ! b\n\n\t\na=1\n"), [{
      key: "a",
      value: "1",
      line: 5,
    }]);
  });

  it("accepts =, : and whitespace separators and trims around them", () => {
    assert.deepEqual(
      parseProperties("a=1\nb : 2\nc 3\n  d\t=\t4 \ne\nf:=5").map((
        e,
      ) => [e.key, e.value]),
      [["a", "1"], ["b", "2"], ["c", "3"], ["d", "4 "], ["e", ""], ["f", "=5"]],
    );
  });

  it("joins backslash continuations, dropping the next line's leading whitespace", () => {
    assert.deepEqual(
      parseProperties("list = a,\\\n    b,\\\r\n\tc\nnext = x"),
      [
        { key: "list", value: "a,b,c", line: 1 },
        { key: "next", value: "x", line: 4 },
      ],
    );
  });

  it("does not continue on an even number of backslashes, nor in comments", () => {
    assert.deepEqual(parseProperties("path = C:\\\\\n# comment \\\nb = 2"), [
      { key: "path", value: "C:\\", line: 1 },
      { key: "b", value: "2", line: 3 },
    ]);
  });

  it("resolves escapes in keys and values, including \\uXXXX", () => {
    assert.deepEqual(
      parseProperties("my\\ key\\:x = tab\\there\\n \\u00e9\\u0041 \\q"),
      [
        { key: "my key:x", value: "tab\there\n \u00e9A q", line: 1 },
      ],
    );
  });

  it("rejects a malformed \\u escape with the line number", () => {
    assert.throws(
      () => parseProperties("a = 1\nb = \\u12g4"),
      (error: unknown) =>
        error instanceof LauncherError && error.kind === "properties" &&
        error.message ===
          "Cannot parse line 2: malformed \\uXXXX escape `\\u12g4`",
    );
  });
});

describe("lintProperties", () => {
  it("passes a complete file without findings", async () => {
    assert.deepEqual(await messages(VALID), []);
  });

  it("errors on each missing required key", async () => {
    assert.deepEqual(
      await messages("shutdownGraceMillis = 1\napplicationName =  \n"),
      [
        "error null: Missing required property `executableName`",
        "error null: Missing required property `applicationName`",
        "error null: Missing required property `streamName` or `streamArn`",
      ],
    );
  });

  it("accepts streamArn instead of streamName", async () => {
    const text = VALID.replace(
      "streamName = orders",
      "streamArn = arn:aws:kinesis:us-east-1:1:stream/orders",
    );
    assert.deepEqual(await messages(text), []);
  });

  it("warns on unknown keys with the closest known key", async () => {
    assert.deepEqual(
      await messages(
        `${VALID}\nsreamName = x\nStreamName = y\nregion = eu-west-1\nbanana = 1`,
      ),
      [
        "warning 5: `sreamName` is not a daemon property; did you mean `streamName`?",
        "warning 6: `StreamName` is not a daemon property; did you mean `streamName`?",
        "warning 7: `region` is not a daemon property; did you mean `regionName`?",
        "warning 8: `banana` is not a daemon property; the daemon ignores it",
      ],
    );
  });

  it("knows credentials keys in any case and nested client keys", async () => {
    assert.deepEqual(
      await messages(
        `${VALID}\nAWSCredentialsProvider = A\nawsCredentialsProviderDynamoDB = B\nkinesisClient.region = x`,
      ),
      [],
    );
  });

  it("warns on a repeated key", async () => {
    assert.deepEqual(await messages(`${VALID}\nstreamName = other`), [
      "warning 5: `streamName` is set again (first on line 3); the daemon uses this last value",
    ]);
  });

  it("warns when shutdownGraceMillis is unset or 0", async () => {
    const unset = VALID.replace("shutdownGraceMillis = 30000", "");
    assert.deepEqual(await messages(unset), [
      "warning null: `shutdownGraceMillis` is not set: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
    ]);
    assert.deepEqual(await messages(VALID.replace("30000", "0")), [
      "warning 4: `shutdownGraceMillis` is 0: graceful shutdown is disabled (set it, e.g. `shutdownGraceMillis = 30000`)",
    ]);
  });

  it("warns when executableName uses quotes", async () => {
    assert.deepEqual(
      await messages(VALID.replace("sh consumer.sh", 'sh "my consumer.sh"')),
      [
        "warning 1: `executableName` contains quotes, but the daemon splits it on spaces without quoting: the quotes reach the program as part of its arguments",
      ],
    );
  });

  it("warns when executableName's program is not on PATH nor beside the properties file", async () => {
    const dir = await tempDir();
    const conf = join(dir, "conf");
    await mkdir(conf);
    const text = VALID.replace("sh consumer.sh", "./run-consumer --fast");
    const options = {
      propertiesFile: "conf/app.properties",
      cwd: dir,
      path: "/nonexistent",
    };
    assert.deepEqual(await messages(text, options), [
      `warning 1: \`executableName\` runs \`./run-consumer\`, which is not on PATH nor in ${conf}`,
    ]);
    await writeFile(join(conf, "run-consumer"), "#!/bin/sh\n");
    await chmod(join(conf, "run-consumer"), 0o755);
    assert.deepEqual(await messages(text, options), []);
    assert.deepEqual(
      await messages(VALID.replace("sh consumer.sh", "run-consumer"), options),
      [],
    );
    assert.deepEqual(
      await messages(VALID, { ...options, path: "/nonexistent" }),
      [
        `warning 1: \`executableName\` runs \`sh\`, which is not on PATH nor in ${conf}`,
      ],
    );
  });
});

describe("closestName", () => {
  it("prefers a case-only difference, then the smallest edit, and gives up when far", () => {
    assert.equal(
      closestName("STREAMNAME", ["streamArn", "streamName"]),
      "streamName",
    );
    assert.equal(
      closestName("maxRecrods", ["maxRecords", "maxLeasesForWorker"]),
      "maxRecords",
    );
    assert.equal(closestName("xyz", ["maxRecords"]), undefined);
  });
});
