import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export const AUDIT_LOG_MAX_LIMIT = 100;
export const AUDIT_LOG_DEFAULT_LIMIT = 20;

/** `GET /api/admin/audit-log` query: filters and a page. Unknown parameters are refused. */
export class ListAuditLogQuery {
  /** The acting user's id. */
  @IsOptional()
  @IsUUID('all', { message: 'actor must be a user id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid', description: "The acting user's id." })
  actor?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9_.]+$/, { message: 'action must look like auth.login or groups.created' })
  @ApiPropertyOptional({
    type: String,
    maxLength: 64,
    pattern: '^[a-z0-9_.]+$',
    example: 'auth.login',
  })
  action?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @ApiPropertyOptional({ type: String, maxLength: 64 })
  objectType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @ApiPropertyOptional({ type: String, maxLength: 64 })
  objectId?: string;

  /** Entries at or after this time (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  @ApiPropertyOptional({
    type: String,
    description: 'Entries at or after this time (ISO 8601 date or date-time).',
  })
  from?: string;

  /** Entries before this time (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  @ApiPropertyOptional({
    type: String,
    description: 'Entries before this time (ISO 8601 date or date-time).',
  })
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(AUDIT_LOG_MAX_LIMIT)
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: AUDIT_LOG_MAX_LIMIT,
    default: AUDIT_LOG_DEFAULT_LIMIT,
  })
  limit: number = AUDIT_LOG_DEFAULT_LIMIT;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  offset: number = 0;
}
