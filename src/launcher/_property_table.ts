/**
 * The property names the MultiLangDaemon reads: `MultiLangDaemonConfig`
 * (`executableName`, `processingLanguage`, `maxActiveThreads`) and the bean
 * properties `KinesisClientLibConfigurator` sets on
 * `MultiLangDaemonConfiguration` and its delegated beans (polling, graceful
 * lease hand-off, worker utilisation, coordinator-state and worker-metrics
 * tables) in KCL 2.x and 3.x. Bean property names are case-sensitive; keys
 * starting with `AwsCredentialsProvider` are matched ignoring case.
 *
 * @module
 */

/**
 * Every top-level key the daemon (KCL 2.x/3.x multilang) acts on.
 *
 * @example Check a key
 * ```ts
 * import { DAEMON_PROPERTIES } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.ok(DAEMON_PROPERTIES.includes("shutdownGraceMillis"));
 * ```
 */
export const DAEMON_PROPERTIES: readonly string[] = [
  // MultiLangDaemonConfig
  "executableName",
  "processingLanguage",
  "maxActiveThreads",
  // MultiLangDaemonConfiguration: identity and clients
  "applicationName",
  "streamName",
  "streamArn",
  "tableName",
  "workerId",
  "workerIdentifier",
  "regionName",
  "dynamoDBRegionName",
  "cloudWatchRegionName",
  "kinesisEndpoint",
  "dynamoDBEndpoint",
  "AwsCredentialsProvider",
  "AwsCredentialsProviderDynamoDB",
  "AwsCredentialsProviderCloudWatch",
  // Leases
  "failoverTimeMillis",
  "enablePriorityLeaseAssignment",
  "shardSyncIntervalMillis",
  "cleanupLeasesUponShardCompletion",
  "ignoreUnexpectedChildShards",
  "maxLeasesForWorker",
  "maxLeasesToStealAtOneTime",
  "initialLeaseTableReadCapacity",
  "initialLeaseTableWriteCapacity",
  "initialPositionInStream",
  "initialPositionInStreamExtended",
  "maxLeaseRenewalThreads",
  "listShardsBackoffTimeInMillis",
  "maxListShardsRetryAttempts",
  "billingMode",
  "leaseTableDeletionProtectionEnabled",
  "leaseTablePitrEnabled",
  "leaseAssignmentIntervalMillis",
  // Processing, coordination, lifecycle
  "callProcessRecordsEvenForEmptyRecordList",
  "parentShardPollIntervalMillis",
  "shardPrioritization",
  "skipShardSyncAtWorkerInitializationIfLeasesExist",
  "schedulerInitializationBackoffTimeMillis",
  "taskBackoffTimeMillis",
  "logWarningForTaskAfterMillis",
  "validateSequenceNumberBeforeCheckpointing",
  "shutdownGraceMillis",
  "timeoutInSeconds",
  "clientVersionConfig",
  // Metrics
  "metricsBufferTimeMillis",
  "metricsMaxQueueSize",
  "metricsLevel",
  "metricsEnabledDimensions",
  // Retrieval
  "retrievalMode",
  "maxRecords",
  "idleTimeBetweenReadsInMillis",
  "retryGetRecordsInSeconds",
  "maxGetRecordsThreadPool",
  // Graceful lease hand-off (KCL 3)
  "gracefulLeaseHandoffTimeoutMillis",
  "isGracefulLeaseHandoffEnabled",
  // Worker utilisation aware assignment (KCL 3)
  "inMemoryWorkerMetricsCaptureFrequencyMillis",
  "workerMetricsReporterFreqInMillis",
  "noOfPersistedMetricsPerWorkerMetrics",
  "disableWorkerMetrics",
  "maxThroughputPerHostKBps",
  "dampeningPercentage",
  "reBalanceThresholdPercentage",
  "allowThroughputOvershoot",
  "varianceBalancingFrequency",
  "workerMetricsEMAAlpha",
  "staleWorkerMetricsEntryCleanupDuration",
  // Coordinator state table (KCL 3)
  "coordinatorStateTableName",
  "coordinatorStateBillingMode",
  "coordinatorStateReadCapacity",
  "coordinatorStateWriteCapacity",
  "coordinatorStatePointInTimeRecoveryEnabled",
  "coordinatorStateDeletionProtectionEnabled",
  "coordinatorStateTags",
  // Worker metrics table (KCL 3)
  "workerMetricsTableName",
  "workerMetricsBillingMode",
  "workerMetricsReadCapacity",
  "workerMetricsWriteCapacity",
  "workerMetricsPointInTimeRecoveryEnabled",
  "workerMetricsDeletionProtectionEnabled",
  "workerMetricsTags",
];

/**
 * Nested beans the daemon exposes: `<prefix>.<property>` keys set properties
 * of the SDK client builders and sub-configurations, which the launcher
 * cannot enumerate, so any key under these prefixes is accepted.
 */
export const DAEMON_PROPERTY_PREFIXES: readonly string[] = [
  "kinesisClient",
  "dynamoDbClient",
  "cloudWatchClient",
  "fanoutConfig",
  "pollingConfig",
  "kinesisCredentialsProvider",
  "dynamoDBCredentialsProvider",
  "cloudWatchCredentialsProvider",
];

const KNOWN = new Set(DAEMON_PROPERTIES);

/**
 * Whether the daemon acts on `key`.
 *
 * @example
 * ```ts
 * import { isDaemonProperty } from "@kcl/multilang/launcher";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isDaemonProperty("streamName"));
 * assert.ok(isDaemonProperty("AWSCredentialsProvider"));
 * assert.ok(isDaemonProperty("kinesisClient.region"));
 * assert.ok(!isDaemonProperty("sreamName"));
 * ```
 */
export function isDaemonProperty(key: string): boolean {
  if (KNOWN.has(key)) return true;
  // The configurator rewrites any casing of this prefix before bean lookup.
  if (/^awscredentialsprovider(dynamodb|cloudwatch)?$/i.test(key)) return true;
  const dot = key.indexOf(".");
  return dot > 0 && DAEMON_PROPERTY_PREFIXES.includes(key.slice(0, dot));
}
