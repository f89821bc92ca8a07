import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { REVISION_ID_PATTERN } from '#src/pages/dto/page-params.dto.js';

/** `GET /api/admin/pages/:id/revisions/compare?a=&b=`: from revision `a` to revision `b`. */
export class CompareRevisionsQuery {
  @Matches(REVISION_ID_PATTERN, { message: 'a must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  a!: string;

  @Matches(REVISION_ID_PATTERN, { message: 'b must be a revision id (a positive whole number)' })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  b!: string;
}
