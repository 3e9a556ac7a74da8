import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { closestName } from "../src/cli/closest_name.ts";
import { LauncherError, lintProperties, parseProperties } from "../src/launcher/mod.ts";
import { removeTempDirs, tempDir } from "./support/temp_dir.ts";

after(removeTempDirs);

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
        "warning 5: `sreamName` is not a daemon property in KCL 3.1.3's list; did you mean `streamName`?",
        "warning 6: `StreamName` is not a daemon property in KCL 3.1.3's list; did you mean `streamName`?",
        "warning 7: `region` is not a daemon property in KCL 3.1.3's list; did you mean `regionName`?",
        "warning 8: `banana` is not a daemon property in KCL 3.1.3's list: the daemon ignores it (unless a newer KCL release added it)",
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

  it("checks against the table of the release being launched", async () => {
    const line = `${VALID}\nclientVersionConfig = CLIENT_VERSION_CONFIG_3X\nAwsCredentialsProvider = A`;
    assert.deepEqual(await messages(line), []);
    assert.deepEqual(await messages(line, { kcl: "2.5.4" }), [
      "warning 5: `clientVersionConfig` is not a daemon property in KCL 2.5.4's list: the daemon ignores it (unless a newer KCL release added it)",
      "warning 6: `AwsCredentialsProvider` is not a daemon property in KCL 2.5.4's list; did you mean `AWSCredentialsProvider`?",
    ]);
    assert.deepEqual(
      await messages(`${VALID}\nclientVersionConfig = CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X_PHASE1`),
      [
        "error 5: `clientVersionConfig` is `CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X_PHASE1`, not one of CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X, CLIENT_VERSION_CONFIG_3X; did you mean `CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X`?",
      ],
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

  it("checks the values of typed keys the way the daemon reads them", async () => {
    const text = [
      VALID,
      "initialPositionInStream = TRIM_HORIZN",
      "retrievalMode = polling",
      "metricsLevel = SUMMARY ",
      "maxRecords = 10k",
      "maxLeasesForWorker = 3000000000",
      "failoverTimeMillis = 3000000000",
      "cleanupLeasesUponShardCompletion = ture",
      "validateSequenceNumberBeforeCheckpointing = yes",
      "staleWorkerMetricsEntryCleanupDuration = 1h",
      "maxThroughputPerHostKBps = 1.5e3",
      "workerMetricsEMAAlpha = half",
      "timeoutInSeconds =",
    ].join("\n");
    assert.deepEqual(await messages(text), [
      "error 5: `initialPositionInStream` is `TRIM_HORIZN`, not one of LATEST, TRIM_HORIZON; did you mean `TRIM_HORIZON`?",
      "error 7: `metricsLevel` is `SUMMARY ` with spaces around it, which the daemon keeps and then rejects: remove them",
      "error 8: `maxRecords` is `10k`, not a whole number",
      "error 9: `maxLeasesForWorker` is `3000000000`, out of range for an int (-2147483648 to 2147483647)",
      "error 11: `cleanupLeasesUponShardCompletion` is `ture`, not a boolean (true or false); did you mean `true`?",
      "error 13: `staleWorkerMetricsEntryCleanupDuration` is `1h`, not an ISO-8601 duration of zero or more (e.g. PT30S, PT1H, P1D)",
      "error 15: `workerMetricsEMAAlpha` is `half`, not a number",
      "error 16: `timeoutInSeconds` is empty: set a value or remove the line",
    ]);
  });

  it("explains AT_TIMESTAMP and accepts durations the way java.time.Duration reads them", async () => {
    assert.deepEqual(await messages(`${VALID}\ninitialPositionInStream = at_timestamp`), [
      "error 5: `initialPositionInStream` is `at_timestamp`: the daemon refuses AT_TIMESTAMP here (IllegalArgumentException: Invalid InitialPosition: AT_TIMESTAMP): set `initialPositionInStreamExtended` to the start time in epoch seconds instead",
    ]);
    const key = "staleWorkerMetricsEntryCleanupDuration";
    for (const good of ["PT1H", "P1D", "pt30m", "PT0.5S", "P1DT-1H"]) {
      assert.deepEqual(await messages(`${VALID}\n${key} = ${good}`), [], good);
    }
    for (const bad of ["PT", "P", "-PT1H", "PT-5S", "1 hour"]) {
      assert.equal((await messages(`${VALID}\n${key} = ${bad}`)).length, 1, bad);
    }
  });

  it("checks only the value the daemon uses: the last one", async () => {
    assert.deepEqual(await messages(`${VALID}\nmaxRecords = many\nmaxRecords = 100`), [
      "warning 6: `maxRecords` is set again (first on line 5); the daemon uses this last value",
    ]);
  });

  it("resolves executableName from the launcher's folder, where the daemon starts it", async () => {
    const dir = await tempDir();
    const conf = join(dir, "conf");
    await mkdir(conf);
    const options = { propertiesFile: "conf/app.properties", cwd: dir, path: "/nonexistent" };
    const text = VALID.replace("sh consumer.sh", "./run-consumer --fast");
    const where = `${dir} (the daemon's working folder: the launcher's)`;
    assert.deepEqual(await messages(text, options), [
      `error 1: \`executableName\` runs \`./run-consumer\`, which is not an executable file from ${where}`,
    ]);
    // Beside the properties file is not where the daemon looks: an error with the fix.
    await writeFile(join(conf, "run-consumer"), "#!/bin/sh\n");
    await chmod(join(conf, "run-consumer"), 0o755);
    assert.deepEqual(await messages(text, options), [
      `error 1: \`executableName\` runs \`./run-consumer\`, which is not in ${where} but in ${conf}: start the launcher from ${conf}, or write \`executableName = conf/run-consumer --fast\``,
    ]);
    assert.deepEqual(await messages(text, { ...options, cwd: conf, propertiesFile: "app.properties" }), []);
    // A bare name is looked up on PATH only.
    assert.deepEqual(await messages(VALID.replace("sh consumer.sh", "run-consumer"), options), [
      `error 1: \`executableName\` runs \`run-consumer\`, which is not on PATH but in ${conf}: start the launcher from ${conf}, or write \`executableName = conf/run-consumer\``,
    ]);
    assert.deepEqual(await messages(VALID.replace("sh consumer.sh", "run-consumer"), { ...options, path: conf }), []);
  });

  it("finds the files executableName passes from the launcher's folder", async () => {
    const dir = await tempDir();
    const conf = join(dir, "conf");
    await mkdir(conf);
    await writeFile(join(conf, "consumer.ts"), "");
    const path = process.env.PATH ?? "/usr/bin:/bin";
    const options = { propertiesFile: "conf/app.properties", cwd: dir, path };
    const where = `${dir} (the daemon's working folder: the launcher's)`;
    const run = (command: string): string => VALID.replace("sh consumer.sh", command);
    assert.deepEqual(await messages(run("sh --allow-read consumer.ts jsr:@std/mod.ts"), options), [
      `error 1: \`executableName\` passes \`consumer.ts\`, which is not in ${where} but in ${conf}: start the launcher from ${conf}, or write \`executableName = sh --allow-read conf/consumer.ts jsr:@std/mod.ts\``,
    ]);
    assert.deepEqual(await messages(run("sh conf/consumer.ts"), options), []);
    assert.deepEqual(await messages(run("sh lib/missing.js"), options), [
      `error 1: \`executableName\` passes \`lib/missing.js\`, which does not exist in ${where}`,
    ]);
  });

  it("takes module specifiers and classpaths for what they are, not for missing files", async () => {
    const dir = await tempDir();
    for (const program of ["node", "java"]) await writeFile(join(dir, program), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(join(dir, "app.ts"), "");
    const options = { cwd: dir, path: dir };
    const where = `${dir} (the daemon's working folder: the launcher's)`;
    const run = (command: string): string => VALID.replace("sh consumer.sh", command);
    for (
      const command of [
        "node --import tsx/esm app.ts",
        "node --require ts-node/register app.ts",
        "node -r ts-node/register app.ts",
        "java -cp lib/* Main",
        "java -classpath lib/*:conf com.example.Main",
      ]
    ) {
      assert.deepEqual(await messages(run(command), options), [], command);
    }
    // What names a file still must exist: a script extension, or a path from ./, ../ or /.
    assert.deepEqual(await messages(run("node --import tsx/esm missing.ts"), options), [
      `error 1: \`executableName\` passes \`missing.ts\`, which does not exist in ${where}`,
    ]);
    assert.deepEqual(await messages(run("java -jar ./lib/consumer"), options), [
      `error 1: \`executableName\` passes \`./lib/consumer\`, which does not exist in ${where}`,
    ]);
  });

  it("names a missing program as an error, with the closest installed runtime", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "deno"), "#!/bin/sh\n", { mode: 0o755 });
    assert.deepEqual(await messages(VALID.replace("sh consumer.sh", "denoo run x"), { cwd: dir, path: dir }), [
      "error 1: `executableName` runs `denoo`, which is not on PATH; did you mean `deno`?",
    ]);
    assert.deepEqual(await messages(VALID.replace("sh consumer.sh", "zzz-consumer"), { cwd: dir, path: dir }), [
      "error 1: `executableName` runs `zzz-consumer`, which is not on PATH: install it, or give its path",
    ]);
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
