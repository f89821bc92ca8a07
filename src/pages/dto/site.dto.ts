import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';

/** A DNS host name (letters, digits, `-`, dots between labels), or `localhost`; no port. */
export const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const HOSTNAME_MESSAGE =
  'hostname must be a host name such as www.example.com (no scheme, port or path)';

/** `POST /api/admin/sites`. */
export class CreateSiteDto {
  @IsString()
  @MaxLength(253)
  @Matches(HOSTNAME_PATTERN, { message: HOSTNAME_MESSAGE })
  @ApiProperty({ type: String, maxLength: 253, example: 'www.example.com' })
  hostname!: string;

  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(150)
  @ApiProperty({ type: String, minLength: 1, maxLength: 150 })
  name!: string;

  /** A root page (one without a parent). */
  @IsUUID('all', { message: 'rootPageId must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  rootPageId!: string;

  /** The site served for unknown host names; the first site always is. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean, default: false })
  isDefault?: boolean;
}

/** `PATCH /api/admin/sites/:id`: what is absent stays. */
export class UpdateSiteDto {
  @IsOptional()
  @IsString()
  @MaxLength(253)
  @Matches(HOSTNAME_PATTERN, { message: HOSTNAME_MESSAGE })
  @ApiPropertyOptional({ type: String, maxLength: 253 })
  hostname?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(150)
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 150 })
  name?: string;

  @IsOptional()
  @IsUUID('all', { message: 'rootPageId must be a page id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  rootPageId?: string;

  /** Only `true` (make this the default); to change the default, set it on another site. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ type: Boolean })
  isDefault?: boolean;
}
