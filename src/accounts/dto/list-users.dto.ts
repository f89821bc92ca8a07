import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { queryBoolean } from '#src/http/validation.js';

export const USERS_MAX_LIMIT = 100;
export const USERS_DEFAULT_LIMIT = 20;

/** The fields a user list may be sorted on; `-` in front sorts descending. */
export const USER_ORDER_FIELDS = ['email', 'name', 'createdAt', 'lastLoginAt'] as const;
export type UserOrderField = (typeof USER_ORDER_FIELDS)[number];
const USER_ORDERS = USER_ORDER_FIELDS.flatMap((field) => [field, `-${field}`]);

/** `GET /api/admin/users` query. Unknown parameters are refused, so nothing else can be filtered. */
export class ListUsersQuery {
  /** Part of the email address or name, case-insensitive. */
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @ApiPropertyOptional({
    type: String,
    maxLength: 254,
    description: 'Part of the email address or name, case-insensitive.',
  })
  search?: string;

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'isActive must be true or false' })
  @ApiPropertyOptional({ type: Boolean })
  isActive?: boolean;

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'isSuperuser must be true or false' })
  @ApiPropertyOptional({ type: Boolean })
  isSuperuser?: boolean;

  /** Members of this group only. */
  @IsOptional()
  @IsUUID('all', { message: 'group must be a group id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'Members of this group only.' })
  group?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(USERS_MAX_LIMIT)
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: USERS_MAX_LIMIT,
    default: USERS_DEFAULT_LIMIT,
  })
  limit: number = USERS_DEFAULT_LIMIT;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  offset: number = 0;

  @IsOptional()
  @IsIn(USER_ORDERS, {
    message: `order must be one of ${USER_ORDERS.join(', ')}`,
  })
  @ApiPropertyOptional({
    enum: USER_ORDERS,
    default: 'email',
    description: 'A leading - sorts descending.',
  })
  order: string = 'email';
}
