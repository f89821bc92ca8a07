import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** A `:id` path parameter: a UUID, so a malformed id is a 400, never a database error. */
export class IdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;
}
