import { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_PUBLIC_EXTENSION } from '../auth/access';
import { AUTH_OPTIONS } from '../auth/auth-options';

export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  readonly version?: string;
}

export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs-json';
/** Security scheme names in the document: the same key, in either header. */
export const BEARER_SECURITY_SCHEME = 'bearer';
export const API_KEY_SECURITY_SCHEME = 'apiKey';

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** True when the app imported AuthModule, i.e. its routes really require a key. */
function authEnabled(app: INestApplication): boolean {
  // Looked up in the module graph: `app.get` of a missing token logs an error before it throws.
  const modules = app.get(ModulesContainer);
  return [...modules.values()].some((module) => module.providers.has(AUTH_OPTIONS));
}

/**
 * Marks every operation as needing a key (either scheme) except the `@Public()` ones, which get
 * an explicit empty requirement; drops the marker extension. With `enabled` false (no AuthModule)
 * only the marker is dropped, so the document never claims a protection the service lacks.
 */
export function applyApiKeySecurity(document: OpenAPIObject, enabled: boolean): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of httpMethods) {
      const operation = pathItem[method];
      if (operation === undefined) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
      delete extensions[OPENAPI_PUBLIC_EXTENSION];
      if (!enabled) continue;
      if (isPublic) operation.security = [];
      else if (operation.security === undefined) {
        operation.security = [{ [BEARER_SECURITY_SCHEME]: [] }, { [API_KEY_SECURITY_SCHEME]: [] }];
      }
    }
  }
  return document;
}

export function buildOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const withAuth = authEnabled(app);
  const builder = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version ?? '0.1.0')
    .addTag('health', 'Liveness and readiness probes.');
  if (withAuth) {
    builder
      .addTag('api-keys', 'API keys and their roles (admin).')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'plf_<keyId>_<secret>',
          description: 'An API key: `Authorization: Bearer plf_<keyId>_<secret>`.',
        },
        BEARER_SECURITY_SCHEME,
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'The same API key in its own header: `X-Api-Key: plf_<keyId>_<secret>`.',
        },
        API_KEY_SECURITY_SCHEME,
      );
  }
  return applyApiKeySecurity(SwaggerModule.createDocument(app, builder.build()), withAuth);
}

/** Interactive docs at /docs, the document itself at /docs-json. */
export function serveOpenApi(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const document = buildOpenApiDocument(app, info);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: info.title,
  });
  return document;
}
