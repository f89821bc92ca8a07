import { Logger, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import { PassportStrategies } from '#src/auth/passport-strategies.js';
import { AuthModule } from '#src/auth/auth.module.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { DeliveryModule } from '#src/delivery/delivery.module.js';
import { DeliveryService } from '#src/delivery/delivery.service.js';
import {
  type ContentSourceServices,
  RequestContentSource,
  seesDrafts,
} from '#src/graphql/content-source.js';
import { errorFormatterFor } from '#src/graphql/graphql-errors.js';
import { costOf, limitRules, nestingOf } from '#src/graphql/graphql-limits.js';
import { GraphqlSchemaService } from '#src/graphql/graphql-schema.service.js';
import { OwnResolvers } from '#src/graphql/own-resolvers.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { SitesService } from '#src/pages/sites.service.js';
import { SearchModule } from '#src/search/search.module.js';
import { SearchIndexService } from '#src/search/search-index.service.js';

/** The services GraphQL's context and schema come from. */
@Module({
  imports: [AuthModule, ContentTypesModule, DeliveryModule, PagesModule, SearchModule],
  providers: [GraphqlSchemaService, OwnResolvers],
  exports: [
    GraphqlSchemaService,
    AuthModule,
    ContentTypesModule,
    DeliveryModule,
    PagesModule,
    SearchModule,
  ],
})
export class GraphqlContentModule {}

const PREVIEW_TOKEN_HEADER = 'x-preview-token';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

interface GraphqlServices {
  config: AppConfig;
  strategies: PassportStrategies;
  delivery: DeliveryService;
  sites: SitesService;
  contentTypes: ContentTypesService;
  search: SearchIndexService;
}

/**
 * The context of one request: who is asking (bearer credentials; invalid ones are ignored,
 * as on every public route), a ContentSource with the request's loaders, and the caching
 * headers — drafts are never cached.
 */
function contextFactory(services: GraphqlServices) {
  const { config } = services;
  const publicCache = `public, max-age=${config.delivery.cacheMaxAgeSeconds}`;
  const sourceServices: ContentSourceServices = {
    delivery: services.delivery,
    sites: services.sites,
    lookup: (key) => services.contentTypes.find(key),
    searchLanguage: services.search.language,
    maxLimit: config.delivery.maxLimit,
  };
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = await services.strategies.fromBearer(request);
    if (bearer.status === 'valid') request.principal = bearer.principal;
    const contentRequest = {
      host: request.headers.host,
      previewToken: single(request.headers[PREVIEW_TOKEN_HEADER]),
      principal: request.principal,
    };
    const drafts = seesDrafts(contentRequest);
    void reply.header('vary', 'Authorization, X-Preview-Token');
    void reply.header(
      'cache-control',
      !drafts && !request.principal && request.method === 'GET' ? publicCache : 'private, no-store',
    );
    return { finch: new RequestContentSource(sourceServices, contentRequest) };
  };
}

/**
 * Before parsing: refuses a document longer than GRAPHQL_MAX_QUERY_LENGTH, or nested deeper
 * than any query within GRAPHQL_MAX_DEPTH could be (arguments and input objects nest too).
 */
function preParsingHook(maxLength: number, maxDepth: number) {
  const maxNesting = Math.max(128, maxDepth * 4);
  return (_schema: unknown, source: string): Promise<void> => {
    if (source.length > maxLength) {
      return Promise.reject(
        new GraphQLError(
          `The query is ${source.length} characters long; at most ${maxLength} are accepted (GRAPHQL_MAX_QUERY_LENGTH). Send a shorter query.`,
          { extensions: { code: 'QUERY_TOO_LONG', limit: maxLength, actual: source.length } },
        ),
      );
    }
    const nesting = nestingOf(source);
    if (nesting > maxNesting) {
      return Promise.reject(
        new GraphQLError(
          `The query nests brackets ${nesting} levels deep; at most ${maxNesting} are accepted. Request fewer nested levels, or split the query.`,
          { extensions: { code: 'QUERY_TOO_DEEP', limit: maxNesting, actual: nesting } },
        ),
      );
    }
    return Promise.resolve();
  };
}

/**
 * Before execution:
 * - validation is cached per query text, so it sees no variables: a `limit: $n` counted as
 *   its default there is counted again here with the value sent;
 * - Mercurius keys a query compiled by graphql-jit by its text alone, for the operation it
 *   was compiled for: a document of several operations would then answer the wrong one.
 *   Handing the document back as "modified" makes Mercurius execute it without JIT.
 */
function preExecutionHook(maxCost: number) {
  return (
    schema: GraphQLSchema,
    document: DocumentNode,
    _context: unknown,
    variables: Record<string, unknown> | undefined,
  ): Promise<{ document: DocumentNode } | undefined> => {
    const operations = document.definitions.filter(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    ).length;
    const answer = operations > 1 ? { document } : undefined;
    if (!variables || Object.keys(variables).length === 0) return Promise.resolve(answer);
    const cost = costOf(schema, document, variables);
    if (cost <= maxCost) return Promise.resolve(answer);
    return Promise.reject(
      new GraphQLError(
        `Query cost ${cost} exceeds the maximum of ${maxCost}: ask for fewer items (a smaller limit) or fewer fields, or split the query.`,
        { extensions: { code: 'QUERY_TOO_COSTLY', limit: maxCost, actual: cost } },
      ),
    );
  };
}

/** Parsing stops after this many tokens: enough for any real query, and a deep bomb stops here. */
const MAX_QUERY_TOKENS = 4000;

/**
 * GraphQL at `/graphql` through Nest's Mercurius driver on the Fastify server; GraphiQL at
 * `/graphiql` unless turned off (off by default in production). Finch's own queries are
 * code-first Nest resolvers; the content part is generated (GraphqlSchemaService).
 * Validation runs the depth, cost and alias limits before any resolver — any SQL — runs.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      imports: [GraphqlContentModule],
      inject: [
        APP_CONFIG,
        GraphqlSchemaService,
        PassportStrategies,
        DeliveryService,
        SitesService,
        ContentTypesService,
        SearchIndexService,
      ],
      useFactory: (
        config: AppConfig,
        schemas: GraphqlSchemaService,
        strategies: PassportStrategies,
        delivery: DeliveryService,
        sites: SitesService,
        contentTypes: ContentTypesService,
        search: SearchIndexService,
      ): MercuriusDriverConfig => {
        const limits = limitRules({
          maxDepth: config.graphql.maxDepth,
          maxCost: config.graphql.maxCost,
          maxAliases: config.graphql.maxAliases,
          introspection: config.graphql.introspection,
        });
        return {
          path: '/graphql',
          autoSchemaFile: true,
          transformSchema: (schema) => schemas.install(schema),
          graphiql: config.graphql.graphiql,
          jit: config.graphql.jit,
          cache: true,
          allowBatchedQueries: false,
          validationRules: limits,
          context: contextFactory({
            config,
            strategies,
            delivery,
            sites,
            contentTypes,
            search,
          }),
          errorFormatter: errorFormatterFor(new Logger('GraphQL')),
          graphql: { parseOptions: { maxTokens: MAX_QUERY_TOKENS } },
          hooks: {
            preParsing: [preParsingHook(config.graphql.maxQueryLength, config.graphql.maxDepth)],
            preExecution: [preExecutionHook(config.graphql.maxCost)],
          },
        } as MercuriusDriverConfig;
      },
    }),
  ],
})
export class FinchGraphqlModule {}
