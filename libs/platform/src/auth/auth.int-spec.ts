// API keys end to end over real HTTP on a real PostgreSQL: a tiny service made with the platform's
// own createServiceApplication and AuthModule, as the three services use them.
import { Controller, Get, Module } from '@nestjs/common';
import { createTestDatabase, kafkaBrokers, TestDatabase } from '@plafond/testing';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { createServiceApplication, ServiceDefinition } from '../bootstrap/bootstrap-service';
import { loadConfig } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { createDataSource } from '../database/data-source';
import { PlafondError } from '../errors/plafond-error';
import { JsonLogger } from '../logging/json-logger';
import { Principal, Roles } from './access';
import { generateApiKey } from './api-key';
import { apiKeyTableStatements } from './api-key.schema';
import { AuthModule } from './auth.module';
import { BootstrapAdminKey } from './bootstrap-admin-key';
import { CurrentPrincipal } from './current-principal.decorator';

const SCHEMA = 'auth_test';

class TestConfig extends ServiceConfig {
  override port = 3998;
  override databaseSchema = SCHEMA;
  override kafkaClientId = 'plafond-auth-test';
}

const KNOWN_UNITS = new Set(['bu-retail', 'team-search']);

@Controller('v1')
class ThingsController {
  @Get('things')
  @Roles('auditor', 'service')
  things(@CurrentPrincipal() caller: Principal) {
    return caller;
  }

  @Get('units-of-mine')
  @Roles('unit_manager')
  mine(@CurrentPrincipal() caller: Principal) {
    return { scopeUnitId: caller.scopeUnitId };
  }

  @Get('admin-only')
  adminOnly() {
    return { secret: 'only admins see this' };
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      roles: ['admin', 'unit_manager', 'auditor', 'service'],
      scopedRoles: ['unit_manager'],
      scopeValidator: {
        useFactory: () => (unitId: string) => {
          if (!KNOWN_UNITS.has(unitId)) {
            const error = new PlafondError(
              'UNIT.NOT_FOUND',
              `No unit "${unitId}".`,
              { unitId },
              404,
            );
            return Promise.reject(error);
          }
          return Promise.resolve();
        },
      },
    }),
  ],
  controllers: [ThingsController],
})
class TestModule {}

const definition: ServiceDefinition<TestConfig> = {
  name: 'auth-test',
  configClass: TestConfig,
  module: () => TestModule,
  migrations: () => [],
  openApi: { title: 'Plafond auth test', description: 'Only for this test.' },
};

interface Instance {
  readonly app: Awaited<ReturnType<typeof createServiceApplication>>;
  readonly server: Server;
  readonly lines: string[];
}

describe('API keys and roles (real PostgreSQL, real HTTP)', () => {
  let database: TestDatabase;
  let first: Instance;
  const bootstrap = generateApiKey();
  const running: Instance[] = [];

  async function start(adminApiKey: string | undefined): Promise<Instance> {
    const config = loadConfig(TestConfig, {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOG_LEVEL: 'debug',
      ...(adminApiKey === undefined ? {} : { ADMIN_API_KEY: adminApiKey }),
    });
    const lines: string[] = [];
    const logger = new JsonLogger({
      service: 'auth-test',
      level: 'debug',
      write: (line) => lines.push(line),
    });
    const app = await createServiceApplication(definition, config, logger);
    await app.init();
    const instance: Instance = { app, server: app.getHttpServer(), lines };
    running.push(instance);
    return instance;
  }

  async function stop(instance: Instance): Promise<void> {
    running.splice(running.indexOf(instance), 1);
    await instance.app.close();
  }

  const settled = (instance: Instance) => instance.app.get(BootstrapAdminKey).settled();

  async function query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const dataSource = createDataSource({
      url: database.url,
      schema: SCHEMA,
      poolMax: 1,
      migrations: [],
      applicationName: 'auth-test-migrator',
    });
    await dataSource.initialize();
    try {
      return await dataSource.query<T[]>(sql, parameters);
    } finally {
      await dataSource.destroy();
    }
  }

  const asKey = (key: string) => ({ Authorization: `Bearer ${key}` });

  function createKey(body: object, key = bootstrap.key) {
    return request(first.server).post('/v1/api-keys').set(asKey(key)).send(body);
  }

  beforeAll(async () => {
    database = await createTestDatabase('platform-auth');
    // Started before its table exists, as a service may be before `npm run migrate`.
    first = await start(bootstrap.key);
    await query(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
    for (const statement of apiKeyTableStatements(SCHEMA)) await query(statement);
  });

  afterAll(async () => {
    for (const instance of [...running]) await stop(instance);
    await database?.drop();
  });

  it('installs ADMIN_API_KEY as the bootstrap-admin key once the table exists', async () => {
    expect(await settled(first)).toEqual({
      status: 'installed',
      keyId: bootstrap.keyId,
      revoked: [],
    });
    const listed = await request(first.server)
      .get('/v1/api-keys')
      .set(asKey(bootstrap.key))
      .expect(200);
    expect(listed.body).toEqual({
      items: [
        {
          keyId: bootstrap.keyId,
          name: 'bootstrap-admin',
          role: 'admin',
          scopeUnitId: null,
          createdBy: 'config:ADMIN_API_KEY',
          createdAt: expect.any(String),
          revokedAt: null,
          revokedBy: null,
        },
      ],
      nextAfter: null,
    });
  });

  it('keeps the health probes and the docs open, with no key', async () => {
    await request(first.server).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(first.server).get('/health/ready');
    expect([200, 503]).toContain(ready.status);
    expect(ready.body).toHaveProperty('checks');
    await request(first.server).get('/docs-json').expect(200);
  });

  it('answers 401 AUTH.UNAUTHENTICATED, the same way, for every kind of bad key', async () => {
    const created = await createKey({ name: 'soon revoked', role: 'auditor' }).expect(201);
    await request(first.server)
      .delete(`/v1/api-keys/${created.body.keyId as string}`)
      .set(asKey(bootstrap.key))
      .expect(200);
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer not-a-key' },
      { Authorization: `Basic ${bootstrap.key}` },
      { 'X-Api-Key': `${bootstrap.key}x` },
      asKey(generateApiKey().key),
      asKey(`plf_${bootstrap.keyId}_${generateApiKey().secret}`),
      asKey(created.body.key as string),
      { Authorization: `Bearer ${bootstrap.key}`, 'X-Api-Key': generateApiKey().key },
    ];
    for (const headers of attempts) {
      const response = await request(first.server).get('/v1/things').set(headers).expect(401);
      expect(response.body).toEqual({
        code: 'AUTH.UNAUTHENTICATED',
        message: 'A valid API key is required.',
        details: {},
      });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="plafond"');
    }
  });

  it('creates a key, shows it once, and lets it call what its role may call', async () => {
    const created = await createKey({ name: 'search-gateway', role: 'service' }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toEqual({
      keyId: expect.stringMatching(/^[a-z0-9]{12}$/),
      name: 'search-gateway',
      role: 'service',
      scopeUnitId: null,
      createdBy: `admin:${bootstrap.keyId}`,
      createdAt: expect.any(String),
      revokedAt: null,
      revokedBy: null,
      key: expect.stringMatching(/^plf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/),
    });
    const key = created.body.key as string;
    expect(key.startsWith(`plf_${created.body.keyId as string}_`)).toBe(true);

    const viaBearer = await request(first.server).get('/v1/things').set(asKey(key)).expect(200);
    expect(viaBearer.body).toEqual({
      keyId: created.body.keyId,
      name: 'search-gateway',
      role: 'service',
      scopeUnitId: null,
    });
    await request(first.server).get('/v1/things').set('X-Api-Key', key).expect(200);

    const forbidden = await request(first.server).get('/v1/admin-only').set(asKey(key)).expect(403);
    expect(forbidden.body).toEqual({
      code: 'AUTH.FORBIDDEN',
      message: 'The role "service" may not call this endpoint.',
      details: { role: 'service', required: ['admin'] },
    });
    const mine = await request(first.server).get('/v1/units-of-mine').set(asKey(key)).expect(403);
    expect(mine.body.details).toEqual({ role: 'service', required: ['admin', 'unit_manager'] });
    await createKey({ name: 'escalation', role: 'admin' }, key).expect(403);
    await request(first.server).get('/v1/api-keys').set(asKey(key)).expect(403);
    await request(first.server).get('/v1/admin-only').set(asKey(bootstrap.key)).expect(200);
  });

  it('stores only a SHA-256 of the secret, and never returns or logs a secret', async () => {
    const created = await createKey({ name: 'auditor', role: 'auditor' }).expect(201);
    const key = created.body.key as string;
    const secret = key.slice(`plf_${created.body.keyId as string}_`.length);
    await request(first.server).get('/v1/things').set(asKey(key)).expect(200);

    const rows = await query<Record<string, unknown>>(
      `SELECT * FROM "${SCHEMA}".api_keys WHERE key_id = $1`,
      [created.body.keyId],
    );
    expect(rows).toHaveLength(1);
    const stored = rows[0]?.secret_sha256 as Buffer;
    expect(stored).toEqual(createHash('sha256').update(secret).digest());
    expect(stored.toString('base64url')).not.toBe(secret);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const listed = await request(first.server)
      .get('/v1/api-keys?includeRevoked=true')
      .set(asKey(bootstrap.key))
      .expect(200);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(bootstrap.secret);
    for (const item of listed.body.items as Record<string, unknown>[]) {
      expect(Object.keys(item).sort()).toEqual([
        'createdAt',
        'createdBy',
        'keyId',
        'name',
        'revokedAt',
        'revokedBy',
        'role',
        'scopeUnitId',
      ]);
    }
    const logs = first.lines.join('\n');
    const accessLines = first.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(accessLines).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        path: '/v1/things',
        status: 200,
        keyId: created.body.keyId,
      }),
    );
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(bootstrap.secret);
  });

  it('refuses a revoked key at once, keeps it listed as revoked, and revokes idempotently', async () => {
    const created = await createKey({ name: 'to revoke', role: 'service' }).expect(201);
    const key = created.body.key as string;
    const keyId = created.body.keyId as string;
    await request(first.server).get('/v1/things').set(asKey(key)).expect(200);

    const revoked = await request(first.server)
      .delete(`/v1/api-keys/${keyId}`)
      .set(asKey(bootstrap.key))
      .expect(200);
    expect(revoked.body).toMatchObject({
      keyId,
      revokedAt: expect.any(String),
      revokedBy: `admin:${bootstrap.keyId}`,
    });
    // Cached a moment ago; revoking on this instance clears it.
    await request(first.server).get('/v1/things').set(asKey(key)).expect(401);

    const again = await request(first.server)
      .delete(`/v1/api-keys/${keyId}`)
      .set(asKey(bootstrap.key))
      .expect(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const active = await request(first.server).get('/v1/api-keys').set(asKey(bootstrap.key));
    expect((active.body.items as { keyId: string }[]).map((item) => item.keyId)).not.toContain(
      keyId,
    );
    const all = await request(first.server)
      .get('/v1/api-keys?includeRevoked=true')
      .set(asKey(bootstrap.key));
    expect(all.body.items).toContainEqual(
      expect.objectContaining({ keyId, revokedAt: revoked.body.revokedAt }),
    );

    const unknown = await request(first.server)
      .delete('/v1/api-keys/zzzzzzzzzzzz')
      .set(asKey(bootstrap.key))
      .expect(404);
    expect(unknown.body).toEqual({
      code: 'APIKEY.NOT_FOUND',
      message: 'No API key has the id "zzzzzzzzzzzz".',
      details: { keyId: 'zzzzzzzzzzzz' },
    });
  });

  it('binds scoped roles to a unit the service knows, and only those', async () => {
    const missing = await createKey({ name: 'retail manager', role: 'unit_manager' }).expect(400);
    expect(missing.body.code).toBe('APIKEY.SCOPE_REQUIRED');
    const unknownUnit = await createKey({
      name: 'ghost manager',
      role: 'unit_manager',
      scopeUnitId: 'bu-ghost',
    }).expect(404);
    expect(unknownUnit.body).toEqual({
      code: 'UNIT.NOT_FOUND',
      message: 'No unit "bu-ghost".',
      details: { unitId: 'bu-ghost' },
    });
    const notScoped = await createKey({
      name: 'gateway',
      role: 'service',
      scopeUnitId: 'bu-retail',
    }).expect(400);
    expect(notScoped.body.code).toBe('APIKEY.SCOPE_NOT_ALLOWED');
    const unknownRole = await createKey({ name: 'operator', role: 'operator' }).expect(400);
    expect(unknownRole.body).toEqual({
      code: 'APIKEY.ROLE_UNKNOWN',
      message: 'This service has no role "operator".',
      details: { role: 'operator', roles: ['admin', 'unit_manager', 'auditor', 'service'] },
    });
    const invalid = await createKey({ name: ' ', role: 'service', extra: true }).expect(400);
    expect(invalid.body.code).toBe('REQUEST.INVALID');

    const manager = await createKey({
      name: 'retail manager',
      role: 'unit_manager',
      scopeUnitId: 'bu-retail',
    }).expect(201);
    const mine = await request(first.server)
      .get('/v1/units-of-mine')
      .set('X-Api-Key', manager.body.key as string)
      .expect(200);
    expect(mine.body).toEqual({ scopeUnitId: 'bu-retail' });
  });

  it('pages the key list by key id', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const response: request.Response = await request(first.server)
        .get(`/v1/api-keys?includeRevoked=true&limit=2${after === null ? '' : `&after=${after}`}`)
        .set(asKey(bootstrap.key))
        .expect(200);
      const items = response.body.items as { keyId: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((item) => item.keyId));
      after = response.body.nextAfter as string | null;
      if (after === null) break;
    }
    const all = await query<{ key_id: string }>(
      `SELECT key_id FROM "${SCHEMA}".api_keys ORDER BY key_id`,
    );
    expect(seen).toEqual(all.map((row) => row.key_id));
    await request(first.server).get('/v1/api-keys?limit=0').set(asKey(bootstrap.key)).expect(400);
  });

  it('answers GET /v1/auth/self to every role with the routes its role may call', async () => {
    const self = (key: string) =>
      request(first.server).get('/v1/auth/self').set(asKey(key)).expect(200);
    const admin = await self(bootstrap.key);
    expect(admin.headers['cache-control']).toBe('no-store');
    expect(admin.body).toEqual({
      service: 'auth-test',
      keyId: bootstrap.keyId,
      name: 'bootstrap-admin',
      role: 'admin',
      scopeUnitId: null,
      permissions: [
        { method: 'GET', path: '/v1/admin-only' },
        { method: 'GET', path: '/v1/api-keys' },
        { method: 'POST', path: '/v1/api-keys' },
        { method: 'DELETE', path: '/v1/api-keys/{keyId}' },
        { method: 'GET', path: '/v1/auth/self' },
        { method: 'GET', path: '/v1/things' },
        { method: 'GET', path: '/v1/units-of-mine' },
      ],
    });
    const auditorKey = (await createKey({ name: 'self auditor', role: 'auditor' }).expect(201)).body
      .key as string;
    expect((await self(auditorKey)).body).toMatchObject({
      role: 'auditor',
      permissions: [
        { method: 'GET', path: '/v1/auth/self' },
        { method: 'GET', path: '/v1/things' },
      ],
    });
    const managerKey = (
      await createKey({
        name: 'self manager',
        role: 'unit_manager',
        scopeUnitId: 'bu-retail',
      }).expect(201)
    ).body.key as string;
    expect((await self(managerKey)).body).toMatchObject({
      role: 'unit_manager',
      scopeUnitId: 'bu-retail',
      permissions: [
        { method: 'GET', path: '/v1/auth/self' },
        { method: 'GET', path: '/v1/units-of-mine' },
      ],
    });
    await request(first.server).get('/v1/auth/self').expect(401);
  });

  it('documents both schemes on every route but the public ones', async () => {
    const response = await request(first.server).get('/docs-json').expect(200);
    const document = response.body as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    const either = [{ bearer: [] }, { apiKey: [] }];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const expected = path.startsWith('/health/') ? [] : either;
        expect({ path, method, security: operation.security }).toEqual({
          path,
          method,
          security: expected,
        });
      }
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/api-keys', '/v1/api-keys/{keyId}', '/v1/things']),
    );
    expect(JSON.stringify(document.paths['/v1/api-keys']?.post?.responses['201'])).toContain(
      'plf_',
    );
  });

  it('rotates the bootstrap key from the configuration, and keeps API revocations', async () => {
    const rotated = generateApiKey();
    const second = await start(rotated.key);
    expect(await settled(second)).toEqual({
      status: 'installed',
      keyId: rotated.keyId,
      revoked: [bootstrap.keyId],
    });
    await request(second.server).get('/v1/admin-only').set(asKey(rotated.key)).expect(200);
    await request(second.server).get('/v1/admin-only').set(asKey(bootstrap.key)).expect(401);

    // Revoked through the API, a bootstrap key stays revoked even if configured again.
    await request(second.server)
      .delete(`/v1/api-keys/${rotated.keyId}`)
      .set(asKey(rotated.key))
      .expect(200);
    await stop(second);
    const third = await start(rotated.key);
    expect(await settled(third)).toMatchObject({ status: 'refused_revoked', keyId: rotated.keyId });
    await request(third.server).get('/v1/admin-only').set(asKey(rotated.key)).expect(401);
    await stop(third);

    // Unset, every bootstrap key is revoked; set again, a key only the configuration revoked returns.
    const fourth = await start(undefined);
    expect(await settled(fourth)).toEqual({ status: 'none', revoked: [] });
    await stop(fourth);
    const fifth = await start(bootstrap.key);
    expect(await settled(fifth)).toEqual({
      status: 'installed',
      keyId: bootstrap.keyId,
      revoked: [],
    });
    await request(fifth.server).get('/v1/admin-only').set(asKey(bootstrap.key)).expect(200);
    const sixth = await start(undefined);
    expect(await settled(sixth)).toEqual({ status: 'none', revoked: [bootstrap.keyId] });
    await request(sixth.server).get('/v1/admin-only').set(asKey(bootstrap.key)).expect(401);
  });
});
