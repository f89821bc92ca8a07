import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsISO8601, IsOptional, Matches } from 'class-validator';
import { REVISION_ID_PATTERN } from '#src/snippets/dto/snippet-params.dto.js';

/** `POST /api/admin/snippets/:type/:id/publish`. */
export class PublishSnippetDto {
  /** The revision to publish; the latest when absent. */
  @IsOptional()
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiPropertyOptional({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId?: string;

  /** In the future: schedule it instead. */
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'goLiveAt must be an ISO 8601 date and time' },
  )
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  goLiveAt?: string;

  /** When it is taken offline again. */
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expireAt must be an ISO 8601 date and time' },
  )
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  expireAt?: string;
}

/** `GET /api/admin/snippets/:type/:id/revisions/compare?a=&b=`: from revision `a` to `b`. */
export class CompareSnippetRevisionsQuery {
  @Matches(REVISION_ID_PATTERN, { message: 'a must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  a!: string;

  @Matches(REVISION_ID_PATTERN, { message: 'b must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  b!: string;
}

/** `DELETE /api/admin/snippets/:type/:id?force=true`. */
export class DeleteSnippetQuery {
  /** Delete even when live content still uses it. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'force must be true or false' })
  @ApiPropertyOptional({ type: Boolean, default: false })
  force: boolean = false;
}
