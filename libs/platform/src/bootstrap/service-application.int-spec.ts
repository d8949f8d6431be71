import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createTestDatabase, kafkaBrokers, TestDatabase } from '@plafond/testing';
import { IsInt, IsString, Min } from 'class-validator';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { loadConfig } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { createDataSource } from '../database/data-source';
import { runMigrations } from '../database/migrations';
import { PlafondError } from '../errors/plafond-error';
import { ShutdownState } from '../health/shutdown-state';
import { currentCorrelationId } from '../logging/correlation';
import { JsonLogger } from '../logging/json-logger';
import { createServiceApplication, ServiceDefinition } from './bootstrap-service';
import { closeHttpServer } from './graceful-shutdown';

/** Resolved when /slow has started handling a request, so the test closes HTTP mid-request. */
let slowStarted: () => void = () => undefined;

class TestConfig extends ServiceConfig {
  override port = 3999;
  override databaseSchema = 'http_test';
  override kafkaClientId = 'plafond-http-test';
}

class WidgetDto {
  @IsString()
  name!: string;

  @IsInt()
  @Min(0)
  sizeMicro!: number;
}

@ApiTags('widgets')
@Controller()
class TestController {
  @Post('widgets')
  create(@Body() widget: WidgetDto) {
    return { created: widget.name };
  }

  @Get('boom')
  boom(): never {
    throw new Error('pool failed: password=hunter2');
  }

  @Get('quota')
  quota(): never {
    throw new PlafondError('QUOTA.EXCEEDED', 'No quota left.', { unitId: 'u-1' }, 409);
  }

  @Get('slow')
  async slow() {
    slowStarted();
    await sleep(300);
    return { correlationId: currentCorrelationId() };
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

const definition: ServiceDefinition<TestConfig> = {
  name: 'http-test',
  configClass: TestConfig,
  module: () => TestModule,
  migrations: () => [],
  openApi: { title: 'Plafond test service', description: 'Only for this test.' },
  bodyLimitBytes: 1024,
};

describe('a service application (real PostgreSQL and Kafka, in process)', () => {
  let database: TestDatabase;
  let app: Awaited<ReturnType<typeof createServiceApplication>>;
  let server: Server;
  const lines: string[] = [];
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    database = await createTestDatabase('platform-http');
    const config = loadConfig(TestConfig, {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOG_LEVEL: 'debug',
    });
    const logger = new JsonLogger({
      service: 'http-test',
      level: 'debug',
      write: (line) => lines.push(line),
    });
    app = await createServiceApplication(definition, config, logger);
    await app.init();
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('is live at once, and ready only once its schema is migrated', async () => {
    await request(server).get('/health/live').expect(200, { status: 'ok' });
    const before = await request(server).get('/health/ready').expect(503);
    expect(before.body).toMatchObject({
      status: 'unavailable',
      checks: {
        database: { status: 'down', error: expect.stringContaining('run npm run migrate') },
        kafka: { status: 'up', brokers: expect.any(Number) },
      },
    });
    const migrator = createDataSource({
      url: database.url,
      schema: 'http_test',
      poolMax: 1,
      migrations: [],
      applicationName: 'test',
    });
    await migrator.initialize();
    await runMigrations(migrator);
    await migrator.destroy();
    const after = await request(server).get('/health/ready').expect(200);
    expect(after.body).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'up' }, kafka: { status: 'up' } },
    });
    expect(after.headers['cache-control']).toBe('no-store');
  });

  it('answers invalid payloads with REQUEST.INVALID and the fields', async () => {
    const response = await request(server)
      .post('/widgets')
      .send({ name: 7, sizeMicro: -1 })
      .expect(400);
    expect(response.body).toEqual({
      code: 'REQUEST.INVALID',
      message: 'The request is invalid: name, sizeMicro.',
      details: {
        fields: [
          { field: 'name', errors: ['name must be a string'] },
          { field: 'sizeMicro', errors: ['sizeMicro must not be less than 0'] },
        ],
      },
    });
    await request(server)
      .post('/widgets')
      .send({ name: 'w', sizeMicro: 3 })
      .expect(201, { created: 'w' });
  });

  it('answers malformed JSON with REQUEST.MALFORMED_JSON, still with a correlation id', async () => {
    const response = await request(server)
      .post('/widgets')
      .set('content-type', 'application/json')
      .set('x-correlation-id', 'bad-json-1')
      .send('{"name": "w",')
      .expect(400);
    expect(response.body).toEqual({
      code: 'REQUEST.MALFORMED_JSON',
      message: 'The request body is not valid JSON.',
      details: {},
    });
    expect(response.headers['x-correlation-id']).toBe('bad-json-1');
    const cloudEvent = await request(server)
      .post('/widgets')
      .set('content-type', 'application/cloudevents+json')
      .send('{"specversion":')
      .expect(400);
    expect(cloudEvent.body).toMatchObject({ code: 'REQUEST.MALFORMED_JSON' });
    expect(logged()).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        correlationId: 'bad-json-1',
        status: 400,
      }),
    );
  });

  it('answers oversized bodies with REQUEST.TOO_LARGE', async () => {
    const response = await request(server)
      .post('/widgets')
      .send({ name: 'x'.repeat(2048), sizeMicro: 1 })
      .expect(413);
    expect(response.body).toMatchObject({
      code: 'REQUEST.TOO_LARGE',
      details: { limitBytes: 1024 },
    });
  });

  it('maps domain errors, unknown routes and crashes through the one filter', async () => {
    await request(server)
      .get('/quota')
      .expect(409, {
        code: 'QUOTA.EXCEEDED',
        message: 'No quota left.',
        details: { unitId: 'u-1' },
      });
    const missing = await request(server).get('/nope').expect(404);
    expect(missing.body).toMatchObject({ code: 'REQUEST.NOT_FOUND' });
    const crash = await request(server).get('/boom').set('x-correlation-id', 'crash-1').expect(500);
    expect(crash.body).toEqual({
      code: 'INTERNAL',
      message: 'Internal error. Quote the correlation id when reporting it.',
      details: { correlationId: 'crash-1' },
    });
    expect(JSON.stringify(crash.body)).not.toContain('pool failed');
    const failure = logged().find(
      (entry) => entry.msg === 'request failed' && entry.correlationId === 'crash-1',
    );
    expect(failure).toMatchObject({
      level: 'error',
      err: { message: 'pool failed: password=[redacted]' },
    });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('serves its OpenAPI document with the service’s routes', async () => {
    const response = await request(server).get('/docs-json').expect(200);
    expect(response.body).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: 'Plafond test service', description: 'Only for this test.' },
    });
    expect(Object.keys(response.body.paths as object)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/widgets']),
    );
    await request(server).get('/docs').redirects(1).expect(200).expect('content-type', /html/);
  });

  it('reports draining as not ready', async () => {
    app.get(ShutdownState).startDraining(new Date());
    await request(server).get('/health/ready').expect(503, { status: 'draining', checks: {} });
  });

  it('finishes in-flight requests when HTTP closes, and accepts no new ones', async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`, {
      headers: { 'x-correlation-id': 'slow-1' },
    });
    await started;
    await closeHttpServer(server);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ correlationId: 'slow-1' });
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
