import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_CODENAMES_PER_REQUEST } from '#src/accounts/dto/create-group.dto.js';
import { CODENAME_MAX_LENGTH } from '#src/accounts/permission-registry.js';

/** `PUT /api/admin/groups/:id/permissions`: what the group grants afterwards, exactly. */
export class SetGroupPermissionsDto {
  @IsArray()
  @ArrayMaxSize(MAX_CODENAMES_PER_REQUEST)
  @IsString({ each: true })
  @MaxLength(CODENAME_MAX_LENGTH, { each: true })
  @ApiProperty({ type: [String], maxItems: MAX_CODENAMES_PER_REQUEST })
  codenames!: string[];
}
