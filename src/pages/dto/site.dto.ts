import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

/** A DNS host name (letters, digits, `-`, dots between labels), or `localhost`; no port. */
export const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** An http(s) URL: scheme, host, optional port and path; no query, fragment or credentials. */
const BASE_URL_PATTERN =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;
const BASE_URL_MESSAGE =
  'baseUrl must be an http or https URL such as https://www.example.com (no query or fragment)';
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

  /**
   * Where readers reach the site, for absolute links in feeds: an http(s) URL, optionally
   * with a path, e.g. `https://www.example.com`. Null: `https://<hostname>` (or `PUBLIC_URL`
   * when the host name is Finch's own).
   */
  @ValidateIf((_dto: unknown, value: unknown) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(2000)
  @Matches(BASE_URL_PATTERN, { message: BASE_URL_MESSAGE })
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    example: 'https://www.example.com',
  })
  baseUrl?: string | null;
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

  /**
   * Where readers reach the site, for absolute links in feeds: an http(s) URL, optionally
   * with a path, e.g. `https://www.example.com`. Null: `https://<hostname>` (or `PUBLIC_URL`
   * when the host name is Finch's own).
   */
  @ValidateIf((_dto: unknown, value: unknown) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(2000)
  @Matches(BASE_URL_PATTERN, { message: BASE_URL_MESSAGE })
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    example: 'https://www.example.com',
  })
  baseUrl?: string | null;
}
