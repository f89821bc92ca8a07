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
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdParam } from '#src/accounts/dto/id-param.dto.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { PaginationQuery } from '#src/pages/dto/list-pages.dto.js';
import { MySubmissionsQuery } from '#src/workflows/dto/moderation.dto.js';
import {
  CreateWorkflowDto,
  UpdateWorkflowDto,
  WorkflowPageParams,
} from '#src/workflows/dto/workflow.dto.js';
import {
  CreateWorkflowTaskDto,
  UpdateWorkflowTaskDto,
} from '#src/workflows/dto/workflow-task.dto.js';
import {
  ModerationService,
  reviewerOf,
  type StateView,
} from '#src/workflows/moderation.service.js';
import { MANAGE_WORKFLOWS } from '#src/workflows/workflows.permissions.js';
import {
  type TaskView,
  type WorkflowView,
  WorkflowsService,
} from '#src/workflows/workflows.service.js';

interface StateList {
  meta: { total_count: number };
  items: StateView[];
}

/**
 * Workflows and their tasks (changing them needs `manage_workflows`; any signed-in user
 * may read them, as editors need to know who reviews), and the moderation dashboard.
 */
@ApiTags('Workflows')
@ApiBearerAuth()
@Controller('api/admin')
export class WorkflowsAdminController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly moderation: ModerationService,
  ) {}

  // ------------------------------------------------------------------- dashboard

  /** Pages waiting at a task the caller may review, longest waiting first. */
  @Get('workflows/awaiting-my-review')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async awaitingMyReview(
    @Query() query: PaginationQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<StateList> {
    const { total, items } = await this.moderation.awaitingReview(reviewerOf(principal), query);
    return { meta: { total_count: total }, items };
  }

  /** What the caller submitted for review, newest first. */
  @Get('workflows/my-submissions')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async mySubmissions(
    @Query() query: MySubmissionsQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<StateList> {
    const { total, items } = await this.moderation.submissionsOf(
      principal.user.id,
      query.status,
      query,
    );
    return { meta: { total_count: total }, items };
  }

  // ------------------------------------------------------------------- workflows

  @Get('workflows')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async list(): Promise<{ meta: { total_count: number }; items: WorkflowView[] }> {
    const items = await this.workflows.list();
    return { meta: { total_count: items.length }, items };
  }

  @Post('workflows')
  @RequirePermissions(MANAGE_WORKFLOWS)
  create(
    @Body() body: CreateWorkflowDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<WorkflowView> {
    return this.workflows.create(body, actorOf(principal, request));
  }

  @Get('workflows/:id')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  get(@Param() params: IdParam): Promise<WorkflowView> {
    return this.workflows.get(params.id);
  }

  /** Deactivating (`active: false`) cancels the reviews in progress in it. */
  @Patch('workflows/:id')
  @RequirePermissions(MANAGE_WORKFLOWS)
  update(
    @Param() params: IdParam,
    @Body() body: UpdateWorkflowDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<WorkflowView> {
    const actor = actorOf(principal, request);
    return this.workflows.update(params.id, body, actor, (tx, id) =>
      this.moderation.cancelStatesOfWorkflow(tx, id, actor),
    );
  }

  /** Only a workflow that never moderated a page (else 409: deactivate it). */
  @Delete('workflows/:id')
  @RequirePermissions(MANAGE_WORKFLOWS)
  @HttpCode(204)
  async delete(
    @Param() params: IdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.workflows.delete(params.id, actorOf(principal, request));
  }

  /** The workflow holds for the page and its subtree (replacing the page's earlier one). */
  @Put('workflows/:id/pages/:pageId')
  @RequirePermissions(MANAGE_WORKFLOWS)
  assign(
    @Param() params: WorkflowPageParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<WorkflowView> {
    return this.workflows.assign(params.id, params.pageId, actorOf(principal, request));
  }

  @Delete('workflows/:id/pages/:pageId')
  @RequirePermissions(MANAGE_WORKFLOWS)
  @HttpCode(204)
  async unassign(
    @Param() params: WorkflowPageParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.workflows.unassign(params.id, params.pageId, actorOf(principal, request));
  }

  // ------------------------------------------------------------------- tasks

  @Get('workflow-task-types')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  taskTypes(): Array<{ key: string; label: string; description: string }> {
    return this.workflows.taskTypesList();
  }

  @Get('workflow-tasks')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async listTasks(): Promise<{ meta: { total_count: number }; items: TaskView[] }> {
    const items = await this.workflows.listTasks();
    return { meta: { total_count: items.length }, items };
  }

  @Post('workflow-tasks')
  @RequirePermissions(MANAGE_WORKFLOWS)
  createTask(
    @Body() body: CreateWorkflowTaskDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<TaskView> {
    return this.workflows.createTask(body, actorOf(principal, request));
  }

  @Get('workflow-tasks/:id')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  getTask(@Param() params: IdParam): Promise<TaskView> {
    return this.workflows.getTask(params.id);
  }

  /** Deactivating moves the reviews waiting on the task to their workflow's next task. */
  @Patch('workflow-tasks/:id')
  @RequirePermissions(MANAGE_WORKFLOWS)
  updateTask(
    @Param() params: IdParam,
    @Body() body: UpdateWorkflowTaskDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<TaskView> {
    const actor = actorOf(principal, request);
    return this.workflows.updateTask(params.id, body, actor, (tx, id) =>
      this.moderation.moveOnFromTask(tx, id, actor),
    );
  }
}
