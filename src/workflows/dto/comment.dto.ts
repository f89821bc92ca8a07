import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { queryBoolean } from '#src/http/validation.js';
import { REVISION_ID_PATTERN } from '#src/publishing/dto/publication-requests.dto.js';
import { NoNulCharacters } from '#src/workflows/dto/workflow-text.js';

export const MAX_COMMENT_LENGTH = 5000;
/**
 * `title`, `slug`, or `content.<field>` followed by `.key` and `[index]` steps, e.g.
 * `content.body[2].value.caption`: what the editor's form and revision diffs call a field.
 */
export const FIELD_PATH_PATTERN =
  /^(?:title|slug|content\.[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*|\[[0-9]{1,4}\])*)$/;

/** `POST /api/admin/pages/:id/comments`. */
export class CreateCommentDto {
  @IsString()
  @Matches(/\S/, { message: 'text must not be empty or blank' })
  @MaxLength(MAX_COMMENT_LENGTH)
  @NoNulCharacters()
  @ApiProperty({ type: String, minLength: 1, maxLength: MAX_COMMENT_LENGTH })
  text!: string;

  /** The revision commented on; the latest when absent. Replies take their thread's. */
  @IsOptional()
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiPropertyOptional({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId?: string;

  /** The field commented on (`title`, `content.body[2].value`); the whole page when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(FIELD_PATH_PATTERN, {
    message: 'fieldPath must be title, slug or content.<field> with .key and [index] steps',
  })
  @ApiPropertyOptional({ type: String, maxLength: 255, example: 'content.body[2].value' })
  fieldPath?: string;

  /** Reply to this comment (a top-level one of the same page). */
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a comment id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  parentId?: string;
}

/** `PATCH /api/admin/pages/:id/comments/:commentId`. */
export class UpdateCommentDto {
  @IsString()
  @Matches(/\S/, { message: 'text must not be empty or blank' })
  @MaxLength(MAX_COMMENT_LENGTH)
  @NoNulCharacters()
  @ApiProperty({ type: String, minLength: 1, maxLength: MAX_COMMENT_LENGTH })
  text!: string;
}

/** `GET /api/admin/pages/:id/comments`. */
export class ListCommentsQuery {
  @IsOptional()
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiPropertyOptional({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId?: string;

  /** Only resolved (`true`) or open (`false`) threads. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'resolved must be true or false' })
  @ApiPropertyOptional({ type: Boolean })
  resolved?: boolean;
}

/** `/api/admin/pages/:id/comments/:commentId`. */
export class CommentParams {
  @IsUUID('all', { message: 'id must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @IsUUID('all', { message: 'commentId must be a comment id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  commentId!: string;
}
