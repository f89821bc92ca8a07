import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `PUT /api/admin/content-types/:key` query: the version the change was made against. */
export class UpdateContentTypeQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  @ApiPropertyOptional({
    type: Number,
    description:
      'Refuse the change (409) unless the type is still at this version. `If-Match: "<version>"` does the same.',
  })
  expectedVersion?: number;
}
