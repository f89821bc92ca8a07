import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '#src/auth/access.decorators.js';
import { deliveryRequestOf, sendDeliveryAnswer } from '#src/delivery/delivery-reply.js';
import { DeliveryService } from '#src/delivery/delivery.service.js';

/** Published snippets of one type, read-only, in the same shape as pages. */
@ApiTags('Delivery')
@Controller('api/v2/snippets')
export class SnippetsDeliveryController {
  constructor(private readonly delivery: DeliveryService) {}

  @Get(':type')
  @Public()
  @ApiOperation({
    summary: 'List published snippets of a type',
    description:
      'Parameters: search, order, limit, offset, fields, locale, draft, and filters on the filterable fields of the type.',
  })
  async list(
    @Param('type') type: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return sendDeliveryAnswer(
      request,
      reply,
      await this.delivery.listSnippets(type, deliveryRequestOf(request)),
    );
  }

  @Get(':type/:id')
  @Public()
  @ApiOperation({ summary: 'A published snippet with all its fields' })
  async detail(
    @Param('type') type: string,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return sendDeliveryAnswer(
      request,
      reply,
      await this.delivery.snippetDetail(type, id, deliveryRequestOf(request)),
    );
  }
}
