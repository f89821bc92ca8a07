import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { NoNulCharacters, TrimmedName } from '#src/workflows/dto/workflow-text.js';
import { RESUBMIT_FROM, type ResubmitFrom } from '#src/workflows/workflow.entity.js';

/** A workflow holds at most this many tasks: review chains longer than this help nobody. */
export const MAX_WORKFLOW_TASKS = 20;

/** What creating and changing share. */
class WorkflowSettingsDto {
  /** Task ids in review order; replaces the workflow's tasks. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_WORKFLOW_TASKS)
  @ArrayUnique({ message: 'tasks must not name a task twice' })
  @IsUUID('all', { each: true, message: 'each of tasks must be a task id (a UUID)' })
  @ApiPropertyOptional({ type: [String], maxItems: MAX_WORKFLOW_TASKS })
  tasks?: string[];

  /** Deactivating cancels the reviews in progress in this workflow. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean })
  active?: boolean;

  /** Whether those with `publish_page` may still publish directly. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean })
  allowBypass?: boolean;

  @IsOptional()
  @IsIn(RESUBMIT_FROM, { message: `resubmitFrom must be one of: ${RESUBMIT_FROM.join(', ')}` })
  @ApiPropertyOptional({ enum: RESUBMIT_FROM })
  resubmitFrom?: ResubmitFrom;

  /** The workflow of pages no assignment covers; setting it moves the default here. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean })
  isDefault?: boolean;
}

/** `POST /api/admin/workflows`. */
export class CreateWorkflowDto extends WorkflowSettingsDto {
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  @NoNulCharacters()
  @TrimmedName()
  @ApiProperty({ type: String, minLength: 1, maxLength: 255 })
  name!: string;
}

/** `/api/admin/workflows/:id/pages/:pageId`. */
export class WorkflowPageParams {
  @IsUUID('all', { message: 'id must be a workflow id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @IsUUID('all', { message: 'pageId must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  pageId!: string;
}

/** `PATCH /api/admin/workflows/:id`: what is absent stays. */
export class UpdateWorkflowDto extends WorkflowSettingsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  @NoNulCharacters()
  @TrimmedName()
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255 })
  name?: string;
}
