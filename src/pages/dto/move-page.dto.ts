import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STEP } from '#src/pages/page-paths.js';

/** `POST /api/admin/pages/:id/move`. */
export class MovePageDto {
  /** The new parent; null to make the page a root page. */
  @ValidateIf((dto: MovePageDto) => dto.parentId !== null)
  @IsUUID('all', { message: 'parentId must be a page id (a UUID) or null' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId!: string | null;

  /** Where among the new siblings (0 = first); the end when absent. */
  @IsOptional()
  @IsInt({ message: 'position must be a whole number' })
  @Min(0)
  @Max(MAX_STEP)
  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  position?: number;
}

/** `POST /api/admin/pages/:id/reorder`. */
export class ReorderPageDto {
  /** The page's place among its siblings, 0 = first. */
  @IsInt({ message: 'position must be a whole number' })
  @Min(0)
  @Max(MAX_STEP)
  @ApiProperty({ type: 'integer', minimum: 0 })
  position!: number;
}
