import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';
import { KEY_PATTERN } from '#src/content-types/content-type-definition.js';
import { REVISION_ID_PATTERN } from '#src/publishing/dto/publication-requests.dto.js';

/** `/api/admin/snippets/:type`. */
export class SnippetTypeParams {
  @Matches(KEY_PATTERN, { message: 'type must be a snippet type key such as author' })
  @ApiProperty({ type: String, pattern: KEY_PATTERN.source, example: 'author' })
  type!: string;
}

/** `/api/admin/snippets/:type/:id`. */
export class SnippetParams extends SnippetTypeParams {
  @IsUUID('all', { message: 'id must be a snippet id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;
}

/** `/api/admin/snippets/:type/:id/revisions/:revisionId`. */
export class SnippetRevisionParams extends SnippetParams {
  @Matches(REVISION_ID_PATTERN, {
    message: 'revisionId must be a revision id (a positive whole number)',
  })
  @ApiProperty({ type: String, pattern: REVISION_ID_PATTERN.source })
  revisionId!: string;
}
