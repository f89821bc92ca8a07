import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { MailModule } from '#src/mail/mail.module.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { CommentsController } from '#src/workflows/comments.controller.js';
import { CommentsService } from '#src/workflows/comments.service.js';
import { ModerationService } from '#src/workflows/moderation.service.js';
import { NotificationPreference } from '#src/workflows/notifications/notification-preference.entity.js';
import { NotificationPreferencesController } from '#src/workflows/notifications/notification-preferences.controller.js';
import { NotificationPreferencesService } from '#src/workflows/notifications/notification-preferences.service.js';
import { WorkflowNotifications } from '#src/workflows/notifications/workflow-notifications.js';
import { PageCollaborators } from '#src/workflows/page-collaborators.js';
import { PageComment } from '#src/workflows/page-comment.entity.js';
import { PageWorkflowController } from '#src/workflows/page-workflow.controller.js';
import { WorkflowTaskTypes } from '#src/workflows/task-types/workflow-task-types.js';
import { WorkflowPage } from '#src/workflows/workflow-page.entity.js';
import { WorkflowState } from '#src/workflows/workflow-state.entity.js';
import { WorkflowStep } from '#src/workflows/workflow-step.entity.js';
import { WorkflowTaskState } from '#src/workflows/workflow-task-state.entity.js';
import { WorkflowTask } from '#src/workflows/workflow-task.entity.js';
import { Workflow } from '#src/workflows/workflow.entity.js';
import { WorkflowsAdminController } from '#src/workflows/workflows-admin.controller.js';
import { WORKFLOWS_PERMISSIONS } from '#src/workflows/workflows.permissions.js';
import { WorkflowsService } from '#src/workflows/workflows.service.js';

/**
 * Moderation workflows (Wagtail's): tasks, workflows assigned to subtrees, review states,
 * comments and their email notifications. It guards publishing (pages in review are locked,
 * a workflow may forbid publishing around it) through PublishingService.registerGuard, so
 * every process that changes content loads it.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Workflow,
      WorkflowTask,
      WorkflowStep,
      WorkflowPage,
      WorkflowState,
      WorkflowTaskState,
      PageComment,
      NotificationPreference,
    ]),
    AccountsModule,
    AuditModule,
    ContentTypesModule,
    MailModule,
    PagesModule,
    PermissionRegistryModule,
    PublishingModule,
  ],
  controllers: [
    WorkflowsAdminController,
    PageWorkflowController,
    CommentsController,
    NotificationPreferencesController,
  ],
  providers: [
    WorkflowTaskTypes,
    WorkflowsService,
    ModerationService,
    CommentsService,
    PageCollaborators,
    WorkflowNotifications,
    NotificationPreferencesService,
    registerPermissions('workflows', WORKFLOWS_PERMISSIONS),
  ],
  exports: [WorkflowTaskTypes, WorkflowsService, ModerationService],
})
export class WorkflowsModule {}
