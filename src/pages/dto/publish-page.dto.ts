import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, Matches } from 'class-validator';
import { REVISION_ID_PATTERN } from '#src/pages/dto/page-params.dto.js';

/** `POST /api/admin/pages/:id/publish`. */
export class PublishPageDto {
  /** The revision to publish; the latest when absent. */
  @IsOptional()
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiPropertyOptional({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId?: string;

  /** In the future: schedule it. */
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'goLiveAt must be an ISO 8601 date and time' },
  )
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  goLiveAt?: string;

  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expireAt must be an ISO 8601 date and time' },
  )
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  expireAt?: string;
}

/** `POST /api/admin/pages/:id/unpublish`. */
export class UnpublishPageDto {
  /** Take the live pages below it offline too. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean, default: false })
  includeDescendants: boolean = false;
}

/** `true`/`false` in a query string; anything else stays as it is and fails @IsBoolean. */
export function queryBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
