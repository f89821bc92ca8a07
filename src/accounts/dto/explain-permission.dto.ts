import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { CODENAME_MAX_LENGTH } from '#src/accounts/permission-registry.js';
import { OBJECT_TYPE_PATTERN } from '#src/accounts/object-permissions.js';

/** `GET /api/admin/permissions/explain` query. */
export class ExplainPermissionQuery {
  @IsUUID('all', { message: 'user must be a user id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  user!: string;

  @IsString()
  @MaxLength(CODENAME_MAX_LENGTH)
  @Matches(/^[a-z0-9_:-]+$/, {
    message: 'permission must be a codename such as manage_users or change_snippet:author',
  })
  @ApiProperty({
    type: String,
    maxLength: CODENAME_MAX_LENGTH,
    pattern: '^[a-z0-9_:-]+$',
    example: 'manage_users',
  })
  permission!: string;

  /** With objectId: ask about one object, e.g. objectType=page&objectId=42. */
  @ValidateIf((query: ExplainPermissionQuery) => query.objectId !== undefined)
  @IsString({ message: 'objectType is needed with objectId' })
  @Matches(OBJECT_TYPE_PATTERN, { message: 'objectType must be lower case, e.g. page' })
  @ApiPropertyOptional({
    type: String,
    pattern: OBJECT_TYPE_PATTERN.source,
    description: 'Required with objectId.',
    example: 'page',
  })
  objectType?: string;

  @ValidateIf((query: ExplainPermissionQuery) => query.objectType !== undefined)
  @IsString({ message: 'objectId is needed with objectType' })
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'objectId must be an id' })
  @ApiPropertyOptional({
    type: String,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_.:-]+$',
    description: 'Required with objectType.',
  })
  objectId?: string;
}
