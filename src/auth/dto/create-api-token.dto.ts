import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import type { ApiTokenScope } from '#src/auth/api-token.entity.js';

export const API_TOKEN_SCOPES: readonly ApiTokenScope[] = ['read', 'write'];

export class CreateApiTokenDto {
  /** What the token is for, e.g. "Netlify build hook". */
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 100,
    pattern: '\\S',
    example: 'Netlify build hook',
  })
  name!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(API_TOKEN_SCOPES.length)
  @IsIn(API_TOKEN_SCOPES, { each: true })
  @ApiProperty({
    enum: API_TOKEN_SCOPES,
    isArray: true,
    minItems: 1,
    maxItems: API_TOKEN_SCOPES.length,
    uniqueItems: true,
  })
  scopes!: ApiTokenScope[];

  /** ISO 8601 with a time zone, in the future; omitted: the token never expires. */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'In the future; omitted, the token never expires.',
  })
  expiresAt?: string;
}
