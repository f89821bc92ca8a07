import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export const PAGES_MAX_LIMIT = 500;
export const PAGES_DEFAULT_LIMIT = 100;

/** `GET /api/admin/pages`: the children of `parent`, or the root pages. */
export class ListPagesQuery {
  @IsOptional()
  @IsUUID('all', { message: 'parent must be a page id (a UUID)' })
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'List its children; the root pages when absent.',
  })
  parent?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(PAGES_MAX_LIMIT)
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: PAGES_MAX_LIMIT,
    default: PAGES_DEFAULT_LIMIT,
  })
  limit: number = PAGES_DEFAULT_LIMIT;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  offset: number = 0;
}

/** `GET …/revisions` and `GET …/usage`: a page of results. */
export class PaginationQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(100)
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  limit: number = 20;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  offset: number = 0;
}
