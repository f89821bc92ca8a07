import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

/** `POST /api/admin/pages/:id/unpublish`. */
export class UnpublishPageDto {
  /** Take the live pages below it offline too. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean, default: false })
  includeDescendants: boolean = false;
}
