import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsUUID, ValidateNested } from 'class-validator';
import {
  PAGE_PERMISSION_TYPES,
  type PagePermissionType,
} from '#src/pages/page-permission.entity.js';

export const MAX_PAGE_GRANTS_PER_REQUEST = 1000;

export class PageGrantDto {
  @IsUUID('all', { message: 'pageId must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  pageId!: string;

  @IsArray()
  @ArrayMaxSize(PAGE_PERMISSION_TYPES.length)
  @IsIn(PAGE_PERMISSION_TYPES, {
    each: true,
    message: `permissions must each be one of ${PAGE_PERMISSION_TYPES.join(', ')}`,
  })
  @ApiProperty({ type: [String], enum: PAGE_PERMISSION_TYPES })
  permissions!: PagePermissionType[];
}

/** `PUT /api/admin/groups/:id/page-permissions`: what the group holds on pages afterwards, exactly. */
export class SetPagePermissionsDto {
  @IsArray()
  @ArrayMaxSize(MAX_PAGE_GRANTS_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => PageGrantDto)
  @ApiProperty({ type: [PageGrantDto], maxItems: MAX_PAGE_GRANTS_PER_REQUEST })
  grants!: PageGrantDto[];
}
