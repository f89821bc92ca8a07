import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '#src/auth/access.decorators.js';
import { CONTENT_TYPE_JSON_SCHEMA } from '#src/content-types/content-type-json-schema.js';

/**
 * The JSON Schema of content type definitions and schema files, public so that a schema
 * file's `"$schema": "https://cms.example.com/api/schemas/content-type.json"` gives editors
 * completion and checks. It describes Finch, not any site's data.
 */
@ApiTags('Content types')
@Controller('api/schemas')
export class ContentTypeSchemaController {
  @Get('content-type.json')
  @Public()
  @Header('Content-Type', 'application/schema+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  schema(): Record<string, unknown> {
    return CONTENT_TYPE_JSON_SCHEMA;
  }
}
