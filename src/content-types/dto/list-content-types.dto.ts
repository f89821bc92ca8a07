import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { ContentKind } from '#src/content-types/content-type-definition.js';

/** `GET /api/admin/content-types` query. */
export class ListContentTypesQuery {
  @IsOptional()
  @IsIn(['page', 'snippet'])
  @ApiPropertyOptional({ enum: ['page', 'snippet'], description: 'Only page or snippet types.' })
  kind?: ContentKind;
}
