import { Body, Controller, Get, Header, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { UpdateNotificationPreferencesDto } from '#src/workflows/notifications/dto/update-notification-preferences.dto.js';
import {
  type NotificationPreferences,
  NotificationPreferencesService,
} from '#src/workflows/notifications/notification-preferences.service.js';

/** The caller's own choice of workflow emails: any signed-in user, for themselves only. */
@ApiTags('Notifications')
@ApiBearerAuth()
@Controller('api/admin/me/notification-preferences')
@Authenticated()
export class NotificationPreferencesController {
  constructor(private readonly preferences: NotificationPreferencesService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  get(@CurrentPrincipal() principal: AuthPrincipal): Promise<NotificationPreferences> {
    return this.preferences.get(principal.user.id);
  }

  /** Sets the kinds given, keeps the others; answers with every kind. */
  @Put()
  @Header('Cache-Control', 'no-store')
  set(
    @Body() body: UpdateNotificationPreferencesDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<NotificationPreferences> {
    return this.preferences.set(principal.user.id, { ...body }, actorOf(principal, request));
  }
}
