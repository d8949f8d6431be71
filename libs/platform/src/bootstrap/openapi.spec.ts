import { Controller, Get, INestApplication } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { Public, Roles } from '../auth/access';
import { applyApiKeySecurity, buildOpenApiDocument } from './openapi';

@Public()
@Controller('probe')
class ProbeController {
  @Get()
  probe() {
    return 'ok';
  }
}

@Controller('things')
class ThingsController {
  @Get()
  @Roles('auditor')
  list() {
    return [];
  }

  @Get('open')
  @Public()
  open() {
    return 'open';
  }

  @Get('signed')
  @ApiSecurity('signature')
  signed() {
    return 'signed';
  }
}

describe('the OpenAPI document of a service without AuthModule', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController, ThingsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
  });

  afterAll(() => app.close());

  it('claims no key requirement and keeps no internal marker', () => {
    const document = buildOpenApiDocument(app, { title: 't', description: 'd' });
    expect(document.components?.securitySchemes).toBeUndefined();
    expect(document.paths['/things']?.get?.security).toBeUndefined();
    expect(JSON.stringify(document)).not.toContain('x-plafond-public');
  });

  it('marks every operation but the public ones as needing a key once auth is on', () => {
    const document = buildOpenApiDocument(app, { title: 't', description: 'd' });
    // buildOpenApiDocument already removed the marker; rebuild the raw operations to test it.
    const raw = JSON.parse(JSON.stringify(document)) as typeof document;
    for (const path of ['/probe', '/things/open']) {
      Object.assign(raw.paths[path]?.get ?? {}, { 'x-plafond-public': true });
    }
    const secured = applyApiKeySecurity(raw, true);
    const either = [{ bearer: [] }, { apiKey: [] }];
    expect(secured.paths['/things']?.get?.security).toEqual(either);
    expect(secured.paths['/probe']?.get?.security).toEqual([]);
    expect(secured.paths['/things/open']?.get?.security).toEqual([]);
    expect(secured.paths['/things/signed']?.get?.security).toEqual([{ signature: [] }]);
    expect(JSON.stringify(secured)).not.toContain('x-plafond-public');
  });
});
