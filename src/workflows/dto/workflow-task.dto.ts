import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { NoNulCharacters, TrimmedName } from '#src/workflows/dto/workflow-text.js';

/** What creating and changing share. */
class WorkflowTaskSettingsDto {
  /** Deactivating moves the reviews waiting on this task to the workflow's next task. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean })
  active?: boolean;

  /** The reviewer groups (for types that use groups), replacing the current ones. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'groups must not name a group twice' })
  @IsUUID('all', { each: true, message: 'each of groups must be a group id (a UUID)' })
  @ApiPropertyOptional({ type: [String], maxItems: 50 })
  groups?: string[];

  /** Settings of the task's type. */
  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: Object })
  options?: Record<string, unknown>;
}

/** `POST /api/admin/workflow-tasks`. */
export class CreateWorkflowTaskDto extends WorkflowTaskSettingsDto {
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  @NoNulCharacters()
  @TrimmedName()
  @ApiProperty({ type: String, minLength: 1, maxLength: 255 })
  name!: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,62}$/, {
    message: 'type must be a task type key, e.g. group_approval',
  })
  @ApiPropertyOptional({ type: String, default: 'group_approval' })
  type?: string;
}

/** `PATCH /api/admin/workflow-tasks/:id`: what is absent stays. */
export class UpdateWorkflowTaskDto extends WorkflowTaskSettingsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  @NoNulCharacters()
  @TrimmedName()
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255 })
  name?: string;
}
