import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { SLUG_MESSAGE } from '#src/pages/dto/create-page.dto.js';
import { SLUG_MAX_LENGTH, SLUG_PATTERN, TITLE_MAX_LENGTH } from '#src/pages/page-paths.js';

/** `POST /api/admin/pages/:id/copy`. */
export class CopyPageDto {
  /** Where the copy goes; null for a root page. */
  @ValidateIf((dto: CopyPageDto) => dto.parentId !== null)
  @IsUUID('all', { message: 'parentId must be a page id (a UUID) or null' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId!: string | null;

  /** The copy's slug; the source's (made unique among the new siblings) when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(SLUG_MAX_LENGTH)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @ApiPropertyOptional({ type: String, maxLength: SLUG_MAX_LENGTH, pattern: SLUG_PATTERN.source })
  slug?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(TITLE_MAX_LENGTH)
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: TITLE_MAX_LENGTH })
  title?: string;

  /** Copy the pages below it too. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean, default: false })
  includeSubtree: boolean = false;
}
