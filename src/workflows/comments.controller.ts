import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { RequestValidationError } from '#src/errors/domain-error.js';
import { PageIdParam } from '#src/pages/dto/page-params.dto.js';
import type { Page } from '#src/pages/page.entity.js';
import { type CommentView, CommentsService } from '#src/workflows/comments.service.js';
import {
  CommentParams,
  CreateCommentDto,
  ListCommentsQuery,
  UpdateCommentDto,
} from '#src/workflows/dto/comment.dto.js';
import { reviewerOf } from '#src/workflows/moderation.service.js';
import { PageCollaborators } from '#src/workflows/page-collaborators.js';

/**
 * Review comments on a page, open to its collaborators (PageCollaborators); a page that
 * does not exist is a 404 before anything else.
 */
@ApiTags('Workflows')
@ApiBearerAuth()
@Controller('api/admin/pages/:id/comments')
export class CommentsController {
  constructor(
    private readonly collaborators: PageCollaborators,
    private readonly comments: CommentsService,
    private readonly contentTypes: ContentTypesService,
  ) {}

  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async list(
    @Param() params: PageIdParam,
    @Query() query: ListCommentsQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<{ items: CommentView[] }> {
    const page = await this.collaboratorOn(principal, params.id);
    return { items: await this.comments.list(page.id, query) };
  }

  @Post()
  @Authenticated()
  async add(
    @Param() params: PageIdParam,
    @Body() body: CreateCommentDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    const page = await this.collaboratorOn(principal, params.id);
    if (body.fieldPath) this.assertFieldOf(page, body.fieldPath);
    return this.comments.add(
      page.id,
      body,
      page.latestRevisionId === null ? null : String(page.latestRevisionId),
      actorOf(principal, request),
    );
  }

  /** The author alone edits their comment. */
  @Patch(':commentId')
  @Authenticated()
  async edit(
    @Param() params: CommentParams,
    @Body() body: UpdateCommentDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    const page = await this.collaboratorOn(principal, params.id);
    return this.comments.edit(page.id, params.commentId, body.text, actorOf(principal, request));
  }

  @Post(':commentId/resolve')
  @Authenticated()
  @HttpCode(200)
  async resolve(
    @Param() params: CommentParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    const page = await this.collaboratorOn(principal, params.id);
    return this.comments.setResolved(page.id, params.commentId, true, actorOf(principal, request));
  }

  @Post(':commentId/reopen')
  @Authenticated()
  @HttpCode(200)
  async reopen(
    @Param() params: CommentParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    const page = await this.collaboratorOn(principal, params.id);
    return this.comments.setResolved(page.id, params.commentId, false, actorOf(principal, request));
  }

  /** The author, or a superuser; a thread goes with its replies. */
  @Delete(':commentId')
  @Authenticated()
  @HttpCode(204)
  async delete(
    @Param() params: CommentParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    const page = await this.collaboratorOn(principal, params.id);
    await this.comments.delete(
      page.id,
      params.commentId,
      reviewerOf(principal),
      actorOf(principal, request),
    );
  }

  private collaboratorOn(principal: AuthPrincipal, pageId: string): Promise<Page> {
    return this.collaborators.assert(principal, pageId);
  }

  /** `content.<key>…` must start with a field of the page's type. */
  private assertFieldOf(page: Page, fieldPath: string): void {
    if (!fieldPath.startsWith('content.')) return;
    const key = /^content\.([a-z][a-z0-9_]*)/.exec(fieldPath)?.[1];
    const fields = this.contentTypes.find(page.contentTypeKey)?.definition.fields ?? [];
    if (!fields.some((field) => field.key === key)) {
      throw new RequestValidationError([
        {
          path: 'fieldPath',
          message: `the page's type "${page.contentTypeKey}" has no field "${key}"`,
        },
      ]);
    }
  }
}
