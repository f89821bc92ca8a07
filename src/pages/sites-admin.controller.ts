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
import { Authenticated } from '#src/auth/access.decorators.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CreateSiteDto, UpdateSiteDto } from '#src/pages/dto/site.dto.js';
import { MANAGE_SITES } from '#src/pages/pages.permissions.js';
import { type SiteView, SitesService } from '#src/pages/sites.service.js';

/** Sites: host names and the root pages they serve. Changing them needs `manage_sites`. */
@ApiTags('Sites')
@ApiBearerAuth()
@Controller('api/admin/sites')
export class SitesAdminController {
  constructor(private readonly sites: SitesService) {}

  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async list(): Promise<{ meta: { total_count: number }; items: SiteView[] }> {
    const items = await this.sites.list();
    return { meta: { total_count: items.length }, items };
  }

  @Get(':id')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  get(@Param() params: IdParam): Promise<SiteView> {
    return this.sites.get(params.id);
  }

  /** The first site becomes the default whatever `isDefault` says. */
  @Post()
  @RequirePermissions(MANAGE_SITES)
  create(
    @Body() body: CreateSiteDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<SiteView> {
    return this.sites.create(body, { actorId: principal.user.id, ip: request.ip });
  }

  @Patch(':id')
  @RequirePermissions(MANAGE_SITES)
  update(
    @Param() params: IdParam,
    @Body() body: UpdateSiteDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<SiteView> {
    return this.sites.update(params.id, body, { actorId: principal.user.id, ip: request.ip });
  }

  @Delete(':id')
  @RequirePermissions(MANAGE_SITES)
  @HttpCode(204)
  async delete(
    @Param() params: IdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.sites.delete(params.id, { actorId: principal.user.id, ip: request.ip });
  }
}
