import { Kafka, logLevel } from 'kafkajs';

import { withClient } from '../test-database';

export interface PostgresInfo {
  readonly version: string;
}

export interface KafkaInfo {
  readonly clusterId: string;
  readonly brokerCount: number;
}

/** Fails with the driver's message when PostgreSQL does not answer within 5 s. */
export async function probePostgres(url: string): Promise<PostgresInfo> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { version: rows[0]?.server_version ?? 'unknown' };
  });
}

/** A metadata round trip, one attempt; an open port alone does not prove a working broker. */
export async function probeKafka(brokers: string[]): Promise<KafkaInfo> {
  const admin = new Kafka({
    clientId: 'plafond-test-setup',
    brokers,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    return { clusterId: cluster.clusterId, brokerCount: cluster.brokers.length };
  } finally {
    await admin.disconnect();
  }
}

export async function kafkaAnswers(brokers: string[]): Promise<KafkaInfo | undefined> {
  try {
    return await probeKafka(brokers);
  } catch {
    return undefined;
  }
}

/** The URL without its password, fit for a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
