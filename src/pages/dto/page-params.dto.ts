import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';

/** Revision ids are bigint identities, sent as strings of digits. */
export const REVISION_ID_PATTERN = /^[1-9][0-9]{0,17}$/;

/** `/api/admin/pages/:id`: a UUID, so a malformed id is a 400, never a database error. */
export class PageIdParam {
  @IsUUID('all', { message: 'id must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;
}

/** `/api/admin/pages/:id/revisions/:revisionId`. */
export class PageRevisionParams extends PageIdParam {
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId!: string;
}
