import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** `{ pageId }` for one page's draft, or `{ siteId }` for every draft of a site. */
export class CreatePreviewTokenDto {
  @IsOptional()
  @IsUUID('all', { message: 'pageId must be a page id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  pageId?: string;

  @IsOptional()
  @IsUUID('all', { message: 'siteId must be a site id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  siteId?: string;
}
