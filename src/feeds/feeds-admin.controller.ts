import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdParam } from '#src/accounts/dto/id-param.dto.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CreateFeedDto, UpdateFeedDto } from '#src/feeds/dto/feed.dto.js';
import { MANAGE_FEEDS } from '#src/feeds/feeds.permissions.js';
import { type FeedView, FeedsService } from '#src/feeds/feeds.service.js';

/**
 * Feeds made by hand (`/feeds/<slug>.<format>`): reading and changing them needs
 * `manage_feeds`. Feeds declared on content types are changed with their content type.
 */
@ApiTags('Feeds')
@ApiBearerAuth()
@Controller('api/admin/feeds')
export class FeedsAdminController {
  constructor(private readonly feeds: FeedsService) {}

  @Get()
  @RequirePermissions(MANAGE_FEEDS)
  @Header('Cache-Control', 'no-store')
  async list(): Promise<{ items: FeedView[] }> {
    return { items: await this.feeds.list() };
  }

  @Post()
  @RequirePermissions(MANAGE_FEEDS)
  create(
    @Body() body: CreateFeedDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<FeedView> {
    return this.feeds.create(body, actorOf(principal, request));
  }

  @Get(':id')
  @RequirePermissions(MANAGE_FEEDS)
  @Header('Cache-Control', 'no-store')
  get(@Param() params: IdParam): Promise<FeedView> {
    return this.feeds.get(params.id);
  }

  @Patch(':id')
  @RequirePermissions(MANAGE_FEEDS)
  update(
    @Param() params: IdParam,
    @Body() body: UpdateFeedDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<FeedView> {
    return this.feeds.update(params.id, body, actorOf(principal, request));
  }

  @Delete(':id')
  @RequirePermissions(MANAGE_FEEDS)
  @HttpCode(204)
  async delete(
    @Param() params: IdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.feeds.delete(params.id, actorOf(principal, request));
  }
}
