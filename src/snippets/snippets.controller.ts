import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PermissionDeniedError } from '#src/accounts/accounts.errors.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import type { PublicationState } from '#src/publishing/publication-state.js';
import type {
  PublishOutcome,
  RevisionComparison,
  RevisionSummary,
  RevisionView,
} from '#src/publishing/publishing.service.js';
import { ListSnippetsQuery, PagingQuery } from '#src/snippets/dto/list-snippets.dto.js';
import {
  CompareRevisionsQuery,
  PublishRequestDto,
} from '#src/publishing/dto/publication-requests.dto.js';
import { DeleteSnippetQuery } from '#src/snippets/dto/delete-snippet.dto.js';
import { CreateSnippetDto, SaveSnippetDto } from '#src/snippets/dto/save-snippet.dto.js';
import {
  SnippetParams,
  SnippetRevisionParams,
  SnippetTypeParams,
} from '#src/snippets/dto/snippet-params.dto.js';
import {
  ADD_SNIPPET,
  ANY_SNIPPET_PERMISSION,
  CHANGE_SNIPPET,
  DELETE_SNIPPET,
  LOCK_SNIPPET,
  PUBLISH_SNIPPET,
  UNLOCK_SNIPPET,
} from '#src/snippets/snippets.permissions.js';
import {
  type SnippetDetail,
  SnippetsService,
  type SnippetSummary,
} from '#src/snippets/snippets.service.js';
import type { ReferenceUsage } from '#src/references/reference-index.service.js';

/**
 * The snippets management API. Snippet permissions are model-wide: a route needs the one
 * for its action; reading needs any snippet permission (as Wagtail's snippet listing does).
 */
@ApiTags('Snippets')
@ApiBearerAuth()
@Controller('api/admin/snippets/:type')
export class SnippetsController {
  constructor(
    private readonly snippets: SnippetsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async list(
    @Param() params: SnippetTypeParams,
    @Query() query: ListSnippetsQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<{ items: SnippetSummary[]; meta: { total_count: number } }> {
    await this.assertMaySee(principal);
    return this.snippets.list(params.type, query);
  }

  @Post()
  @RequirePermissions(ADD_SNIPPET)
  async create(
    @Param() params: SnippetTypeParams,
    @Body() body: CreateSnippetDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<SnippetDetail> {
    if (body.publish) await this.permissions.assertCan(principal.user, PUBLISH_SNIPPET);
    return this.snippets.create(params.type, body, actorOf(principal, request));
  }

  @Get(':id')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async get(
    @Param() params: SnippetParams,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<SnippetDetail> {
    await this.assertMaySee(principal);
    return this.snippets.get(params.type, params.id);
  }

  @Put(':id')
  @RequirePermissions(CHANGE_SNIPPET)
  save(
    @Param() params: SnippetParams,
    @Body() body: SaveSnippetDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<SnippetDetail> {
    return this.snippets.save(params.type, params.id, body, actorOf(principal, request));
  }

  @Delete(':id')
  @RequirePermissions(DELETE_SNIPPET)
  @HttpCode(204)
  async delete(
    @Param() params: SnippetParams,
    @Query() query: DeleteSnippetQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.snippets.delete(params.type, params.id, query.force, actorOf(principal, request));
  }

  @Post(':id/publish')
  @RequirePermissions(PUBLISH_SNIPPET)
  @HttpCode(200)
  publish(
    @Param() params: SnippetParams,
    @Body() body: PublishRequestDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublishOutcome> {
    return this.snippets.publish(
      params.type,
      params.id,
      body.toOptions(),
      actorOf(principal, request),
    );
  }

  @Post(':id/unpublish')
  @RequirePermissions(PUBLISH_SNIPPET)
  @HttpCode(200)
  unpublish(
    @Param() params: SnippetParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    return this.snippets.unpublish(params.type, params.id, actorOf(principal, request));
  }

  @Delete(':id/schedule')
  @RequirePermissions(PUBLISH_SNIPPET)
  cancelSchedule(
    @Param() params: SnippetParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    return this.snippets.cancelSchedule(params.type, params.id, actorOf(principal, request));
  }

  @Get(':id/revisions')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async revisions(
    @Param() params: SnippetParams,
    @Query() query: PagingQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<{ items: RevisionSummary[]; meta: { total_count: number } }> {
    await this.assertMaySee(principal);
    return this.snippets.revisions(params.type, params.id, query);
  }

  @Get(':id/revisions/compare')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async compare(
    @Param() params: SnippetParams,
    @Query() query: CompareRevisionsQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<RevisionComparison> {
    await this.assertMaySee(principal);
    return this.snippets.compare(params.type, params.id, query.a, query.b);
  }

  @Get(':id/revisions/:revisionId')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async revision(
    @Param() params: SnippetRevisionParams,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<RevisionView> {
    await this.assertMaySee(principal);
    return this.snippets.revision(params.type, params.id, params.revisionId);
  }

  /** Makes the revision the new draft (a new revision); publishing it is a separate step. */
  @Post(':id/revisions/:revisionId/revert')
  @RequirePermissions(CHANGE_SNIPPET)
  @HttpCode(200)
  revert(
    @Param() params: SnippetRevisionParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<SnippetDetail> {
    return this.snippets.revert(
      params.type,
      params.id,
      params.revisionId,
      actorOf(principal, request),
    );
  }

  @Post(':id/lock')
  @RequirePermissions(LOCK_SNIPPET)
  @HttpCode(200)
  lock(
    @Param() params: SnippetParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    return this.snippets.lock(params.type, params.id, actorOf(principal, request));
  }

  /**
   * The lock's holder (who needed `lock_snippet` to take it) may unlock it; anyone else
   * needs `unlock_snippet`.
   */
  @Post(':id/unlock')
  @Authenticated()
  @HttpCode(200)
  async unlock(
    @Param() params: SnippetParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    const user = principal.user;
    const mayUnlockOthers = await this.permissions.can(user, UNLOCK_SNIPPET);
    if (!mayUnlockOthers && !(await this.permissions.can(user, LOCK_SNIPPET))) {
      throw new PermissionDeniedError(UNLOCK_SNIPPET, 'Unlock snippets');
    }
    return this.snippets.unlock(
      params.type,
      params.id,
      actorOf(principal, request),
      mayUnlockOthers,
    );
  }

  @Get(':id/usage')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async usage(
    @Param() params: SnippetParams,
    @Query() query: PagingQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<{ items: ReferenceUsage[]; meta: { total_count: number } }> {
    await this.assertMaySee(principal);
    return this.snippets.usage(params.type, params.id, query);
  }

  /** Any snippet permission lets a user see snippets. */
  private async assertMaySee(principal: AuthPrincipal): Promise<void> {
    for (const codename of ANY_SNIPPET_PERMISSION) {
      if (await this.permissions.can(principal.user, codename)) return;
    }
    throw new PermissionDeniedError(CHANGE_SNIPPET, 'Change snippets (or any snippet permission)');
  }
}
