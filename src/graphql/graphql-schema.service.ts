import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { MercuriusPlugin } from 'mercurius';
import {
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLNamedType,
  isIntrospectionType,
  isSpecifiedScalarType,
} from 'graphql';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { buildContentSchema } from '#src/graphql/content-schema.js';

/** How long to wait for more content type changes before rebuilding (a schema apply makes several). */
const REBUILD_DELAY_MS = 50;

/**
 * Finch's own GraphQL types and queries (`me`, `site`: code-first Nest resolvers) together
 * with the content part generated from the content types. `Query` gets the fields of both.
 */
export function mergeSchemas(own: GraphQLSchema, content: GraphQLSchema): GraphQLSchema {
  const ownQuery = own.getQueryType()?.toConfig();
  const contentQuery = content.getQueryType()?.toConfig();
  const types = new Map<string, GraphQLNamedType>();
  for (const type of [...own.toConfig().types, ...content.toConfig().types]) {
    if (type.name === 'Query' || isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    const existing = types.get(type.name);
    if (existing && existing !== type) {
      throw new Error(`GraphQL type ${type.name} is defined by Finch and by the content types.`);
    }
    types.set(type.name, type);
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: { ...ownQuery?.fields, ...contentQuery?.fields },
    }),
    types: [...types.values()],
    directives: own.getDirectives(),
  });
}

/**
 * The schema `/graphql` serves. Built when the server starts (Nest's GraphQL module hands
 * over its code-first part through `transformSchema`) and again, without a restart,
 * whenever the content types change — in this process or, through ContentChanges' NOTIFY,
 * in another. Mercurius' `replaceSchema` swaps it: requests in flight finish on the schema
 * they started with, and the query cache starts afresh.
 */
@Injectable()
export class GraphqlSchemaService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('GraphQL');
  private own?: GraphQLSchema;
  private schema?: GraphQLSchema;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Bumped by every rebuild: tests and logs tell schemas apart by it. */
  generation = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly contentTypes: ContentTypesService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** `transformSchema`: keeps Finch's own part and returns the whole schema. */
  install(own: GraphQLSchema): GraphQLSchema {
    this.own = own;
    this.schema = this.build();
    return this.schema;
  }

  /** The schema being served. */
  current(): GraphQLSchema {
    if (!this.schema) throw new Error('The GraphQL schema is not built yet.');
    return this.schema;
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.contentTypes.onRegistryChange(() => this.scheduleRebuild());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  private scheduleRebuild(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.rebuild(), REBUILD_DELAY_MS);
    this.timer.unref();
  }

  /** Builds the schema from the content types as they are now, and serves it. */
  rebuild(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<{ graphql?: MercuriusPlugin }>();
    if (!this.own || !fastify?.graphql) return;
    try {
      const schema = this.build();
      fastify.graphql.replaceSchema(schema);
      this.schema = schema;
      this.generation++;
      this.logger.log(
        `Serving GraphQL schema ${this.generation} for ${this.contentTypes.list().length} content types.`,
      );
    } catch (error) {
      // The old schema keeps being served: better stale than none.
      this.logger.error(
        `Could not rebuild the GraphQL schema after a content type change; the previous one is still served: ${(error as Error).message}`,
      );
    }
  }

  private build(): GraphQLSchema {
    const { schema, skipped } = buildContentSchema(
      this.contentTypes.list().map((record) => record.definition),
      { defaultLimit: Math.min(20, this.config.delivery.maxLimit) },
    );
    for (const problem of skipped) {
      this.logger.warn(
        `Content type "${problem.typeKey}" is left out of GraphQL: ${problem.path}: ${problem.message}. Change its key or field keys (docs/graphql.md, "Names").`,
      );
    }
    return mergeSchemas(this.own as GraphQLSchema, schema);
  }
}
