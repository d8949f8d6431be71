// Test-only: what every service harness does the same way, whatever the service — migrate a
// schema with the service's own migrations, run one instance in this process on a free port and
// wait until it answers (ready, and the bootstrap admin key installed). The per-service
// harnesses (allocation-, billing-, ingestion-service.ts) add their topics and helpers on top.
import {
  createDataSource,
  createServiceApplication,
  JsonLogger,
  runMigrations,
  type ServiceApplicationOptions,
  type ServiceConfig,
  type ServiceDefinition,
} from '@plafond/platform';
import { waitFor } from '@plafond/testing';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Migrates `schema` of the database at `url` with the definition's own migrations. */
export async function migrateService<C extends ServiceConfig>(
  url: string,
  definition: ServiceDefinition<C>,
  schema: string,
): Promise<void> {
  const migrator = createDataSource({
    url,
    schema,
    poolMax: 1,
    migrations: definition.migrations(schema),
    applicationName: 'test-migrate',
  });
  await migrator.initialize();
  try {
    await runMigrations(migrator);
  } finally {
    await migrator.destroy();
  }
}

/** Ready (schema migrated, broker up unless readiness ignores it) and the admin key installed. */
export async function waitUntilReady(
  baseUrl: string,
  adminKey: string,
  service: string,
  tail: () => string,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        const ready = await fetch(`${baseUrl}/health/ready`).catch(() => undefined);
        if (ready?.status !== 200) return false;
        const keys = await fetch(`${baseUrl}/v1/api-keys`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        return keys.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: `the ${service} service to be ready` },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail()}`);
  }
}

export interface InProcessApplication {
  /** The Nest application, for the service's own providers. */
  app: INestApplication;
  server: Server;
  baseUrl: string;
  /** Every JSON log line the instance wrote. */
  logLines: string[];
  close(): Promise<void>;
}

/** One instance in this process, listening on a free port (real HTTP, real guard and filter). */
export async function startServiceInProcess<C extends ServiceConfig>(
  service: string,
  definition: ServiceDefinition<C>,
  config: C,
  adminKey: string,
  options: ServiceApplicationOptions = {},
): Promise<InProcessApplication> {
  const logLines: string[] = [];
  const logger = new JsonLogger({
    service,
    level: config.logLevel,
    write: (line) => logLines.push(line),
  });
  const app = await createServiceApplication(definition, config, logger, options);
  await app.listen(0, '127.0.0.1');
  const server: Server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(baseUrl, adminKey, service, () => logLines.slice(-20).join('\n'));
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, server, baseUrl, logLines, close: () => app.close() };
}
