// Readiness probe for scripts/kafka.sh: exits 0 only when the broker answers a metadata request
// (an open port alone is not enough, the broker accepts connections before it can serve them).
// One bounded attempt; the caller owns the retry loop and its deadline.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] ?? '127.0.0.1:9092';

async function main() {
  const kafka = new Kafka({
    clientId: 'plafond-kafka-probe',
    brokers: [broker],
    connectionTimeout: 2_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('metadata lists no broker');
    process.stdout.write(`cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)\n`);
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
