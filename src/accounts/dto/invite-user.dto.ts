import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { PersonName } from '#src/accounts/dto/person-name.js';

export const MAX_GROUPS_PER_REQUEST = 50;

/** `POST /api/admin/users/invite`. */
export class InviteUserDto {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  @ApiProperty({ type: String, format: 'email', maxLength: 254 })
  email!: string;

  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(150)
  @ApiProperty({ type: String, minLength: 1, maxLength: 150 })
  @PersonName()
  name!: string;

  /** Groups the new user joins at once. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_GROUPS_PER_REQUEST)
  @IsUUID('all', { each: true, message: 'each of groupIds must be a group id (a UUID)' })
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    isArray: true,
    maxItems: MAX_GROUPS_PER_REQUEST,
  })
  groupIds?: string[];
}
