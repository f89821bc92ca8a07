import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { queryBoolean } from '#src/http/validation.js';

/** `DELETE /api/admin/pages/:id?confirm=<n>&force=true`. */
export class DeletePageQuery {
  /** How many pages will go (the page and its descendants), as the delete preview said. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'confirm must be the number of pages that will be deleted' })
  @Min(1)
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  confirm?: number;

  /** Delete even though live content still links to the pages. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'force must be true or false' })
  @ApiPropertyOptional({ type: Boolean, default: false })
  force: boolean = false;
}
