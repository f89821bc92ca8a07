import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PaginationQuery } from '#src/pages/dto/list-pages.dto.js';
import { NoNulCharacters } from '#src/workflows/dto/workflow-text.js';
import { WORKFLOW_STATUSES, type WorkflowStatus } from '#src/workflows/workflow-state.entity.js';

/** Review comments are notes, not documents. */
export const MAX_REVIEW_COMMENT = 5000;

/** `POST /api/admin/pages/:id/workflow/submit` and `…/resubmit`. */
export class SubmitForReviewDto {
  /** A note to the reviewers (it goes into their email). */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REVIEW_COMMENT)
  @NoNulCharacters()
  @ApiPropertyOptional({ type: String, maxLength: MAX_REVIEW_COMMENT })
  comment?: string;
}

/** `POST /api/admin/pages/:id/workflow/tasks/:taskStateId/approve`. */
export class ApproveTaskDto {
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REVIEW_COMMENT)
  @NoNulCharacters()
  @ApiPropertyOptional({ type: String, maxLength: MAX_REVIEW_COMMENT })
  comment?: string;

  /** At the last approval: in the future, schedule the page instead of publishing it now. */
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'goLiveAt must be an ISO 8601 date and time' },
  )
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  goLiveAt?: string;
}

/** `POST /api/admin/pages/:id/workflow/tasks/:taskStateId/request-changes`. */
export class RequestChangesDto {
  /** What to change: the submitter gets it by email. */
  @IsString()
  @Matches(/\S/, { message: 'comment must say what to change' })
  @MaxLength(MAX_REVIEW_COMMENT)
  @NoNulCharacters()
  @ApiProperty({ type: String, minLength: 1, maxLength: MAX_REVIEW_COMMENT })
  comment!: string;
}

/** `/api/admin/pages/:id/workflow/tasks/:taskStateId/…`. */
export class TaskStateParams {
  @IsUUID('all', { message: 'id must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @IsUUID('all', { message: 'taskStateId must be a task state id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  taskStateId!: string;
}

/** `GET /api/admin/workflows/my-submissions`: a page of them, narrowed by `status`. */
export class MySubmissionsQuery extends PaginationQuery {
  @IsOptional()
  @IsIn(WORKFLOW_STATUSES, { message: `status must be one of: ${WORKFLOW_STATUSES.join(', ')}` })
  @ApiPropertyOptional({ enum: WORKFLOW_STATUSES })
  status?: WorkflowStatus;
}
