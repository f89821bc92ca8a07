import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '#src/config/app-config.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';

export const OPENAPI_DOCUMENT_PATH = '/api/openapi.json';
export const SWAGGER_UI_PATH = '/api/docs';

/** The name of the security scheme for the refresh cookie (see src/auth/refresh-cookie.ts). */
export const REFRESH_COOKIE_SCHEME = 'refreshCookie';

/** Where `npm run openapi` writes the document; CI compares it with the served one. */
export const COMMITTED_OPENAPI_FILE = path.join(PROJECT_ROOT, 'docs', 'openapi.json');

const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/**
 * The OpenAPI document of the REST API, built from the controllers and DTOs. It must not
 * depend on the configuration: the same code gives the same document, which is committed
 * as docs/openapi.json and compared with the served one in CI.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Finch')
    .setDescription(
      'The REST API of Finch. Errors are problem details (RFC 9457), see docs/api-errors.md.',
    )
    .setVersion(version)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An access token from POST /api/auth/login or /api/auth/refresh, or an API token.',
    })
    .addCookieAuth(
      'finch_refresh',
      {
        type: 'apiKey',
        in: 'cookie',
        description:
          'The refresh token, HttpOnly and SameSite=Strict. Named __Host-finch_refresh when PUBLIC_URL is https.',
      },
      REFRESH_COOKIE_SCHEME,
    )
    .build();
  return SwaggerModule.createDocument(app, base, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Keys sorted at every level and two-space indented, so the committed file diffs well. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortedKeys(document), null, 2)}\n`;
}

/**
 * Swagger UI's page carries inline styles; its scripts are files it loads from 'self'. Only
 * its pages get 'unsafe-inline' styles: every other response keeps the strict policy.
 */
function relaxStylesForSwaggerUi(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      const path = request.url.split('?')[0];
      const policy = reply.getHeader('content-security-policy');
      if (
        (path === SWAGGER_UI_PATH || path.startsWith(`${SWAGGER_UI_PATH}/`)) &&
        typeof policy === 'string'
      ) {
        void reply.header(
          'content-security-policy',
          policy.replace(/style-src 'self'(?=;|$)/, "style-src 'self' 'unsafe-inline'"),
        );
      }
      done(null, payload);
    });
}

/**
 * Serves the document at GET /api/openapi.json and, outside production, Swagger UI at
 * /api/docs. Both are registered on Fastify directly, not through a controller, so the
 * AccessGuard never sees them: they are public by design, and describe only routes that
 * each declare their own access rule.
 */
export function serveOpenApi(app: NestFastifyApplication, config: AppConfig): void {
  let document: OpenAPIObject | undefined;
  let serialized: string | undefined;
  const built = () => (document ??= buildOpenApiDocument(app));

  app
    .getHttpAdapter()
    .getInstance()
    .get(OPENAPI_DOCUMENT_PATH, async (_request, reply) => {
      serialized ??= serializeOpenApiDocument(built());
      return reply.type('application/json; charset=utf-8').send(serialized);
    });

  if (config.env === 'production') return;
  relaxStylesForSwaggerUi(app);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, built, {
    raw: false,
    customSiteTitle: 'Finch API',
    swaggerOptions: { validatorUrl: null },
  });
}
