import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { GROUP_NAME_MAX_LENGTH } from '#src/accounts/groups.service.js';
import { CODENAME_MAX_LENGTH } from '#src/accounts/permission-registry.js';

export const MAX_CODENAMES_PER_REQUEST = 500;

/** `POST /api/admin/groups`. */
export class CreateGroupDto {
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(GROUP_NAME_MAX_LENGTH)
  @ApiProperty({ type: String, minLength: 1, maxLength: GROUP_NAME_MAX_LENGTH })
  name!: string;

  /** Codenames the group grants; unknown ones are refused. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CODENAMES_PER_REQUEST)
  @IsString({ each: true })
  @MaxLength(CODENAME_MAX_LENGTH, { each: true })
  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_CODENAMES_PER_REQUEST,
    description: 'Permission codenames the group grants; unknown ones are refused.',
  })
  permissions?: string[];
}
