import { Body, Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { PageIdParam } from '#src/pages/dto/page-params.dto.js';
import { CHANGE_PAGE, PUBLISH_PAGE } from '#src/pages/pages.permissions.js';
import { PagesService } from '#src/pages/pages.service.js';
import {
  ApproveTaskDto,
  RequestChangesDto,
  SubmitForReviewDto,
  TaskStateParams,
} from '#src/workflows/dto/moderation.dto.js';
import {
  ModerationService,
  type PageWorkflowView,
  reviewerOf,
  type StateView,
} from '#src/workflows/moderation.service.js';
import { PageCollaborators } from '#src/workflows/page-collaborators.js';

/** A blank note is no note: it is neither mailed, audited nor kept as a comment. */
function noteOf(body: SubmitForReviewDto): string | null {
  return body.comment?.trim() ? body.comment : null;
}

/**
 * A page's moderation: submit and resubmit need `change_page` on the page; approving and
 * requesting changes need to be a reviewer of the current task; cancelling is the
 * submitter's. The service checks the last two on the objects themselves.
 */
@ApiTags('Workflows')
@ApiBearerAuth()
@Controller('api/admin/pages/:id/workflow')
export class PageWorkflowController {
  constructor(
    private readonly pages: PagesService,
    private readonly permissions: PermissionsService,
    private readonly moderation: ModerationService,
    private readonly collaborators: PageCollaborators,
  ) {}

  /** The workflow holding for the page, its review in progress, and what the caller may do. */
  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async get(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<PageWorkflowView> {
    const page = await this.pages.get(params.id);
    const object = { type: 'page', id: page.id };
    const [change, publish] = await Promise.all([
      this.permissions.can(principal.user, CHANGE_PAGE, object),
      this.permissions.can(principal.user, PUBLISH_PAGE, object),
    ]);
    return this.moderation.pageWorkflow(page.id, reviewerOf(principal), { change, publish });
  }

  /**
   * Every review of the page, newest first, with each task's who, when and comment: for
   * its collaborators, as its comments are.
   */
  @Get('history')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async history(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<{ items: StateView[] }> {
    const page = await this.collaborators.assert(principal, params.id);
    return { items: await this.moderation.history(page.id) };
  }

  @Post('submit')
  @Authenticated()
  async submit(
    @Param() params: PageIdParam,
    @Body() body: SubmitForReviewDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<StateView> {
    await this.needChange(principal, params.id);
    return this.moderation.submit(
      params.id,
      reviewerOf(principal),
      actorOf(principal, request),
      noteOf(body),
    );
  }

  @Post('resubmit')
  @Authenticated()
  @HttpCode(200)
  async resubmit(
    @Param() params: PageIdParam,
    @Body() body: SubmitForReviewDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<StateView> {
    await this.needChange(principal, params.id);
    return this.moderation.resubmit(
      params.id,
      reviewerOf(principal),
      actorOf(principal, request),
      noteOf(body),
    );
  }

  @Post('cancel')
  @Authenticated()
  @HttpCode(200)
  cancel(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<StateView> {
    return this.moderation.cancel(params.id, reviewerOf(principal), actorOf(principal, request));
  }

  @Post('tasks/:taskStateId/approve')
  @Authenticated()
  @HttpCode(200)
  approve(
    @Param() params: TaskStateParams,
    @Body() body: ApproveTaskDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<StateView> {
    return this.moderation.approve(
      params.id,
      params.taskStateId,
      reviewerOf(principal),
      actorOf(principal, request),
      { comment: body.comment ?? null, goLiveAt: body.goLiveAt ? new Date(body.goLiveAt) : null },
    );
  }

  @Post('tasks/:taskStateId/request-changes')
  @Authenticated()
  @HttpCode(200)
  requestChanges(
    @Param() params: TaskStateParams,
    @Body() body: RequestChangesDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<StateView> {
    return this.moderation.requestChanges(
      params.id,
      params.taskStateId,
      reviewerOf(principal),
      actorOf(principal, request),
      body.comment,
    );
  }

  /** 404 for a page that does not exist, then `change_page` on it. */
  private async needChange(principal: AuthPrincipal, pageId: string): Promise<void> {
    const page = await this.pages.get(pageId);
    await this.permissions.assertCan(principal.user, CHANGE_PAGE, { type: 'page', id: page.id });
  }
}
