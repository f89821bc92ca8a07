import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import type { PublishOptions } from '#src/publishing/publishing.service.js';

/** Revision ids are bigint identities, sent as strings of digits. */
export const REVISION_ID_PATTERN = /^[1-9][0-9]{0,17}$/;

/** `POST …/publish` on a page or a snippet. */
export class PublishRequestDto {
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

  /** What PublishingService.publish() takes. */
  toOptions(): PublishOptions {
    return {
      revisionId: this.revisionId,
      goLiveAt: this.goLiveAt ? new Date(this.goLiveAt) : null,
      expireAt: this.expireAt ? new Date(this.expireAt) : null,
    };
  }
}

/** `GET …/revisions/compare?a=&b=` on a page or a snippet: from revision `a` to `b`. */
export class CompareRevisionsQuery {
  @Matches(REVISION_ID_PATTERN, { message: 'a must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  a!: string;

  @Matches(REVISION_ID_PATTERN, { message: 'b must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  b!: string;
}
