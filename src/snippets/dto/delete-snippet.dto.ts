import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { queryBoolean } from '#src/http/validation.js';

/** `DELETE /api/admin/snippets/:type/:id?force=true`. */
export class DeleteSnippetQuery {
  /** Delete even when live content still uses it. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'force must be true or false' })
  @ApiPropertyOptional({ type: Boolean, default: false })
  force: boolean = false;
}
