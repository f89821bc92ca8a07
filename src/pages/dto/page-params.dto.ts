import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';
import { REVISION_ID_PATTERN } from '#src/publishing/dto/publication-requests.dto.js';

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
