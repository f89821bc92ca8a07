import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  FEED_LIMIT_MAX,
  FEED_ORDERS,
  type FeedItemFields,
  type FeedOrder,
} from '#src/content-types/content-type-definition.js';
import { LOCALE_PATTERN } from '#src/delivery/delivery-params.js';
import { IfGiven } from '#src/http/validation.js';
import type { FeedLinkFilter } from '#src/feeds/feed.entity.js';

export const FEED_SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const SLUG_MESSAGE =
  'slug must be lowercase letters, digits, "-" or "_", starting with a letter or digit';
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex -- tabs and line breaks may stay in a description
const NO_CONTROL_CHARACTERS_BUT_LINES = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
export const FEED_ITEM_TYPES_MAX = 20;

/** What both the creation and the change of a hand-made feed accept. */
class FeedSettingsDto {
  @IfGiven()
  @IsString()
  @MaxLength(1000)
  @Matches(NO_CONTROL_CHARACTERS_BUT_LINES, {
    message: 'description must not contain control characters',
  })
  @ApiPropertyOptional({ type: String, maxLength: 1000, default: '' })
  description?: string;

  /** What is listed: the source page's children or all its descendants (default). */
  @IfGiven()
  @IsIn(['children', 'descendants'], { message: 'source must be children or descendants' })
  @ApiPropertyOptional({ enum: ['children', 'descendants'], default: 'descendants' })
  source?: 'children' | 'descendants';

  /** Page types listed; any when empty. */
  @IfGiven()
  @IsArray({ message: 'itemTypes must be a list of page type keys' })
  @ArrayMaxSize(FEED_ITEM_TYPES_MAX)
  @IsString({ each: true, message: 'itemTypes must be a list of page type keys' })
  @MaxLength(63, { each: true })
  @ApiPropertyOptional({ type: [String], maxItems: FEED_ITEM_TYPES_MAX, default: [] })
  itemTypes?: string[];

  /** Only pages whose snippet link field `field` names the snippet `snippetId`; null: all. */
  @IsOptional()
  @ValidateIf((_dto: unknown, value: unknown) => value !== null)
  @IsObject({ message: 'linkFilter must be an object { field, snippetId }, or null' })
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    properties: { field: { type: 'string' }, snippetId: { type: 'string', format: 'uuid' } },
  })
  linkFilter?: FeedLinkFilter | null;

  @IfGiven()
  @IsIn(FEED_ORDERS, { message: `order must be one of ${FEED_ORDERS.join(', ')}` })
  @ApiPropertyOptional({ enum: FEED_ORDERS, default: '-first_published_at' })
  order?: FeedOrder;

  @IfGiven()
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(FEED_LIMIT_MAX)
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: FEED_LIMIT_MAX, default: 20 })
  limit?: number;

  /** The fields giving the items' summary, content, author, categories and image. */
  @IfGiven()
  @IsObject({ message: 'fields must be an object such as { "summary": "intro" }' })
  @ApiPropertyOptional({
    type: 'object',
    properties: Object.fromEntries(
      ['summary', 'content', 'author', 'categories', 'image'].map((part) => [
        part,
        { type: 'string' },
      ]),
    ),
  })
  fields?: FeedItemFields;

  /** The items' locale; the source page's when null. */
  @IsOptional()
  @ValidateIf((_dto: unknown, value: unknown) => value !== null)
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE_PATTERN, { message: 'locale must be a language tag such as en or pt-BR' })
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 35 })
  locale?: string | null;
}

/** `POST /api/admin/feeds`. */
export class CreateFeedDto extends FeedSettingsDto {
  /** The feed is served at `/feeds/<slug>.rss`, `.atom` and `.json`. */
  @IsString()
  @MaxLength(100)
  @Matches(FEED_SLUG_PATTERN, { message: SLUG_MESSAGE })
  @ApiProperty({ type: String, maxLength: 100, pattern: FEED_SLUG_PATTERN.source })
  slug!: string;

  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(255)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'title must not contain control characters' })
  @ApiProperty({ type: String, minLength: 1, maxLength: 255 })
  title!: string;

  /** The page whose children or descendants the feed lists. */
  @IsUUID('all', { message: 'sourcePageId must be a page id (a UUID)' })
  @ApiProperty({ type: String, format: 'uuid' })
  sourcePageId!: string;
}

/** `PATCH /api/admin/feeds/:id`: what is absent stays. */
export class UpdateFeedDto extends FeedSettingsDto {
  @IfGiven()
  @IsString()
  @MaxLength(100)
  @Matches(FEED_SLUG_PATTERN, { message: SLUG_MESSAGE })
  @ApiPropertyOptional({ type: String, maxLength: 100, pattern: FEED_SLUG_PATTERN.source })
  slug?: string;

  @IfGiven()
  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxLength(255)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'title must not contain control characters' })
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255 })
  title?: string;

  @IfGiven()
  @IsUUID('all', { message: 'sourcePageId must be a page id (a UUID)' })
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  sourcePageId?: string;
}
