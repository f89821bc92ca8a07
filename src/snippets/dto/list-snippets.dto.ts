import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const SNIPPETS_MAX_LIMIT = 100;
export const SNIPPETS_DEFAULT_LIMIT = 20;

/** `limit` and `offset` of a listing. */
export class PagingQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(SNIPPETS_MAX_LIMIT)
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: SNIPPETS_MAX_LIMIT,
    default: SNIPPETS_DEFAULT_LIMIT,
  })
  limit: number = SNIPPETS_DEFAULT_LIMIT;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  offset: number = 0;
}

/** `GET /api/admin/snippets/:type`. */
export class ListSnippetsQuery extends PagingQuery {
  /** Part of the title, case-insensitive. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @ApiPropertyOptional({ type: String, maxLength: 255, description: 'Part of the title.' })
  search?: string;
}
