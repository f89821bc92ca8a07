import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import { SLUG_MESSAGE } from '#src/pages/dto/create-page.dto.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN, TITLE_MAX_LENGTH } from '#src/pages/page-paths.js';

/** `PUT /api/admin/pages/:id`: saves a draft; what is absent is kept from the latest draft. */
export class UpdatePageDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(TITLE_MAX_LENGTH)
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: TITLE_MAX_LENGTH })
  title?: string;

  /** Takes effect at once (it decides the page's URL), even on a live page. */
  @IsOptional()
  @IsString()
  @MaxLength(SLUG_MAX_LENGTH)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @ApiPropertyOptional({ type: String, maxLength: SLUG_MAX_LENGTH, pattern: SLUG_PATTERN.source })
  slug?: string;

  @IsOptional()
  @IsObject({ message: 'content must be an object of field values' })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  content?: ContentValues;
}
