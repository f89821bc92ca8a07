import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** `PUT /api/admin/snippets/:type/:id`: saves a new revision (a draft). */
export class SaveSnippetDto {
  /** Field key → value, checked against the snippet type; the title is its title field. */
  @IsObject({ message: 'content must be an object of field values' })
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "Field values, checked against the snippet type. The type's title field titles the snippet.",
  })
  content!: Record<string, unknown>;

  /** Why it was saved; kept with the revision. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @ApiPropertyOptional({ type: String, maxLength: 255 })
  message?: string;
}

/** `POST /api/admin/snippets/:type`. */
export class CreateSnippetDto extends SaveSnippetDto {
  /** Publish it at once (needs `publish_snippet` too). */
  @IsOptional()
  @IsBoolean({ message: 'publish must be true or false' })
  @ApiPropertyOptional({ type: Boolean, default: false })
  publish?: boolean;
}
