import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '#src/auth/access.decorators.js';
import { deliveryRequestOf, sendDeliveryAnswer } from '#src/delivery/delivery-reply.js';
import { DeliveryService } from '#src/delivery/delivery.service.js';

/**
 * Published pages, read-only, following Wagtail's API v2 (see docs/rest-api.md). Public:
 * drafts only with a preview token or `draft=true` and an API token with the read scope.
 */
@ApiTags('Delivery')
@Controller('api/v2/pages')
export class PagesDeliveryController {
  constructor(private readonly delivery: DeliveryService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'List published pages',
    description:
      'Parameters: type, child_of, descendant_of, ancestor_of, search, order, limit, offset, fields, locale, site, preview_token, draft, and filters on the filterable fields of `type` (`<field>`, `<field>__contains`, `<field>__in`).',
  })
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return sendDeliveryAnswer(
      request,
      reply,
      await this.delivery.listPages(deliveryRequestOf(request)),
    );
  }

  @Get('find')
  @Public()
  @ApiOperation({
    summary: 'Find a page by its path on the site',
    description: '`html_path=/blog/hello/` redirects (302) to the page’s detail URL.',
  })
  async find(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return sendDeliveryAnswer(
      request,
      reply,
      await this.delivery.findPage(deliveryRequestOf(request)),
    );
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'A published page with all its fields' })
  async detail(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return sendDeliveryAnswer(
      request,
      reply,
      await this.delivery.pageDetail(id, deliveryRequestOf(request)),
    );
  }
}
