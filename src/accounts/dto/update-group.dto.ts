import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { GROUP_NAME_MAX_LENGTH } from '#src/accounts/groups.service.js';

/** `PATCH /api/admin/groups/:id`: renames the group. */
export class UpdateGroupDto {
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(GROUP_NAME_MAX_LENGTH)
  @ApiProperty({ type: String, minLength: 1, maxLength: GROUP_NAME_MAX_LENGTH })
  name!: string;
}
