import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import { LOCALE_PATTERN } from '#src/delivery/delivery-params.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN, TITLE_MAX_LENGTH } from '#src/pages/page-paths.js';

export const SLUG_MESSAGE =
  'slug must be letters, digits, "-" or "_" (one URL segment: no "/", "." or spaces)';

/** `POST /api/admin/pages`. */
export class CreatePageDto {
  /** The parent page; absent or null for a root page (a site's home page). */
  @ValidateIf((dto: CreatePageDto) => dto.parentId !== undefined && dto.parentId !== null)
  @IsUUID('all', { message: 'parentId must be a page id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  parentId?: string | null;

  /** The key of a page content type. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(63)
  @ApiProperty({ type: String, maxLength: 63 })
  type!: string;

  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(TITLE_MAX_LENGTH)
  @ApiProperty({ type: String, minLength: 1, maxLength: TITLE_MAX_LENGTH })
  title!: string;

  /** Made from the title when absent. */
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

  /** A language tag (`fr`, `pt-BR`); the parent's locale when absent, `en` for a root page. */
  @IsOptional()
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE_PATTERN, { message: 'locale must be a language tag such as en or pt-BR' })
  @ApiPropertyOptional({ type: String, maxLength: 35, example: 'fr' })
  locale?: string;

  /** Publish at once (needs the publish permission). */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean, default: false })
  publish?: boolean;
}
