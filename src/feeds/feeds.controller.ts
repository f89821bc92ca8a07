import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '#src/auth/access.decorators.js';
import type { AppConfig } from '#src/config/app-config.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import { matchesEtag } from '#src/delivery/delivery-cache.js';
import { LOCALE_PATTERN } from '#src/delivery/delivery-params.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';
import { FEED_SLUG_PATTERN } from '#src/feeds/dto/feed.dto.js';
import { FeedPublisher, type FeedResponse } from '#src/feeds/feed-publisher.js';
import { FEED_FORMATS, FEED_MEDIA_TYPES, type FeedFormat } from '#src/feeds/feed-render.js';
import { FeedNotFoundError } from '#src/feeds/feeds.errors.js';

/** `<path of a page on its site>feed.<format>`, e.g. `/blog/feed.rss`, `/feed.json`. */
const PAGE_FEED_PATH = /^(\/(?:[^/?#]+\/)*)feed\.(rss|atom|json)$/;
const MAX_PATH_LENGTH = 1100;

function isFormat(value: string): value is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(value);
}

/**
 * Feeds, public: `/feeds/<slug>.<format>` for the feeds made by hand, and
 * `<page path>feed.<format>` for the feeds content types declare (see docs/feeds.md).
 */
@ApiTags('Feeds')
@Controller()
export class FeedsController {
  private readonly cacheControl: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly publisher: FeedPublisher,
  ) {
    this.cacheControl = `public, max-age=${config.feeds.cacheMaxAgeSeconds}`;
  }

  @Get('feeds/:file')
  @Public()
  @ApiOperation({
    summary: 'A feed made by hand',
    description:
      '`/feeds/<slug>.rss` (RSS 2.0), `.atom` (Atom 1.0) or `.json` (JSON Feed 1.1). Conditional GET with If-None-Match or If-Modified-Since answers 304.',
  })
  @ApiProduces(...Object.values(FEED_MEDIA_TYPES))
  async handMade(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const dot = file.lastIndexOf('.');
    const slug = dot < 0 ? file : file.slice(0, dot);
    const format = dot < 0 ? '' : file.slice(dot + 1);
    if (!isFormat(format) || slug.length > 100 || !FEED_SLUG_PATTERN.test(slug)) {
      throw new FeedNotFoundError(
        `There is no feed at /feeds/${file.slice(0, 120)}: feeds are /feeds/<slug>.rss, .atom or .json.`,
      );
    }
    return this.send(request, reply, await this.publisher.serve({ kind: 'slug', slug, format }));
  }

  /**
   * Every other GET: the feed of a page when the path ends in `feed.<format>`, else the
   * usual 404. Routes with a path of their own always win over this one.
   */
  @Get('*')
  @Public()
  @ApiExcludeEndpoint()
  async declared(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const mark = request.url.indexOf('?');
    const path = mark < 0 ? request.url : request.url.slice(0, mark);
    const match = path.length <= MAX_PATH_LENGTH ? PAGE_FEED_PATH.exec(path) : null;
    if (!match) throw new NotFoundException(`Cannot ${request.method} ${path}`);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const site = query.site;
    if (site !== undefined && typeof site !== 'string') {
      throw new DeliveryParameterError('site', 'given more than once');
    }
    const locale = query.locale;
    if (
      locale !== undefined &&
      (typeof locale !== 'string' || locale.length > 35 || !LOCALE_PATTERN.test(locale))
    ) {
      throw new DeliveryParameterError('locale', 'expected one language tag such as en or pt-BR');
    }
    return this.send(
      request,
      reply,
      await this.publisher.serve({
        kind: 'page',
        htmlPath: match[1],
        format: match[2] as FeedFormat,
        site,
        host: request.headers.host,
        locale,
      }),
    );
  }

  /** The feed, or 304 when the reader's copy is current (If-None-Match wins, RFC 9110). */
  private send(request: FastifyRequest, reply: FastifyReply, feed: FeedResponse): FastifyReply {
    void reply
      .header('cache-control', this.cacheControl)
      .header('etag', feed.etag)
      .header('last-modified', feed.lastModified);
    const ifNoneMatch = request.headers['if-none-match'];
    const notModified =
      ifNoneMatch !== undefined
        ? matchesEtag(ifNoneMatch, feed.etag)
        : notModifiedSince(request.headers['if-modified-since'], feed.lastModified);
    if (notModified) return reply.code(304).send();
    return reply.code(200).header('content-type', feed.contentType).send(feed.body);
  }
}

function notModifiedSince(header: string | undefined, lastModified: string): boolean {
  if (!header) return false;
  const since = Date.parse(header);
  return Number.isFinite(since) && Date.parse(lastModified) <= since;
}
