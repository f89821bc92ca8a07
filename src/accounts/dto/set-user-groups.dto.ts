import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';
import { MAX_GROUPS_PER_REQUEST } from '#src/accounts/dto/invite-user.dto.js';

/** `PUT /api/admin/users/:id/groups`: the groups the user is in afterwards, exactly. */
export class SetUserGroupsDto {
  @IsArray()
  @ArrayMaxSize(MAX_GROUPS_PER_REQUEST)
  @IsUUID('all', { each: true, message: 'each of groupIds must be a group id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid', isArray: true, maxItems: MAX_GROUPS_PER_REQUEST })
  groupIds!: string[];
}
