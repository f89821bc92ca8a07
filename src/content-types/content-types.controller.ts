import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CONTENT_TYPE_SCHEMA_PATH } from '#src/content-types/content-type-json-schema.js';
import {
  type ApplyResult,
  type ContentTypeRecord,
  ContentTypesService,
} from '#src/content-types/content-types.service.js';
import { MANAGE_CONTENT_TYPES } from '#src/content-types/content-types.permissions.js';
import { ListContentTypesQuery } from '#src/content-types/dto/list-content-types.dto.js';
import { UpdateContentTypeQuery } from '#src/content-types/dto/update-content-type.dto.js';
import { ContentTypeDefinitionError } from '#src/content-types/content-types.errors.js';
import { RequestValidationError } from '#src/errors/domain-error.js';

export interface ContentTypeList {
  items: ContentTypeRecord[];
  meta: { total_count: number };
}

const DEFINITION_BODY = {
  schema: {
    type: 'object',
    description: `A content type definition, as described by ${CONTENT_TYPE_SCHEMA_PATH}.`,
  },
} as const;

/** `If-Match: "3"` (or `W/"3"`) → 3. */
function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) {
    throw new RequestValidationError([
      { path: 'If-Match', message: 'must be the ETag of the content type, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}

/**
 * The content types management API. Anyone signed in may read definitions (editors need
 * them to fill in pages); changing them needs `manage_content_types`.
 */
@ApiTags('Content types')
@ApiBearerAuth()
@Controller('api/admin/content-types')
export class ContentTypesController {
  constructor(private readonly contentTypes: ContentTypesService) {}

  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  list(@Query() query: ListContentTypesQuery): ContentTypeList {
    const items = this.contentTypes.list(query.kind);
    return { items, meta: { total_count: items.length } };
  }

  @Post()
  @RequirePermissions(MANAGE_CONTENT_TYPES)
  @ApiBody(DEFINITION_BODY)
  create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<ContentTypeRecord> {
    return this.contentTypes.create(body, actorOf(principal, request));
  }

  /**
   * Creates or updates every type of a schema file (`{ "contentTypes": [...] }`) in one
   * transaction; types that name each other go in together. Types not listed are kept.
   * Renames and removals of fields are not applied to stored content here: use
   * `finch schema apply` for those.
   */
  @Post('apply')
  @RequirePermissions(MANAGE_CONTENT_TYPES)
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', properties: { contentTypes: { type: 'array' } } } })
  apply(
    @Body() body: unknown,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<ApplyResult> {
    const file = body as { contentTypes?: unknown } | null;
    if (typeof file !== 'object' || file === null || !Array.isArray(file.contentTypes)) {
      throw new ContentTypeDefinitionError([
        { path: 'contentTypes', message: 'must be an array of content type definitions' },
      ]);
    }
    const extra = Object.keys(file).filter((key) => key !== 'contentTypes' && key !== '$schema');
    if (extra.length > 0) {
      throw new ContentTypeDefinitionError(
        extra.map((key) => ({ path: key.slice(0, 64), message: 'is not a known property here' })),
      );
    }
    return this.contentTypes.apply(file.contentTypes as unknown[], actorOf(principal, request));
  }

  @Get(':key')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  get(
    @Param('key') key: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): ContentTypeRecord {
    const record = this.contentTypes.get(key);
    void reply.header('ETag', `"${record.version}"`);
    return record;
  }

  /** Replaces the definition. `?expectedVersion=` or `If-Match` guard against lost updates. */
  @Put(':key')
  @RequirePermissions(MANAGE_CONTENT_TYPES)
  @ApiBody(DEFINITION_BODY)
  async update(
    @Param('key') key: string,
    @Body() body: unknown,
    @Query() query: UpdateContentTypeQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContentTypeRecord> {
    const expectedVersion = query.expectedVersion ?? versionFromIfMatch(ifMatch);
    const record = await this.contentTypes.update(key, body, actorOf(principal, request), {
      expectedVersion,
    });
    void reply.header('ETag', `"${record.version}"`);
    return record;
  }

  @Delete(':key')
  @RequirePermissions(MANAGE_CONTENT_TYPES)
  @HttpCode(204)
  async delete(
    @Param('key') key: string,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.contentTypes.delete(key, actorOf(principal, request));
  }
}
