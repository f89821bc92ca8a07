import { Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '#src/auth/access.decorators.js';
import { SessionNotFoundError } from '#src/auth/auth.errors.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { AuthSessionsService, type SessionView } from '#src/auth/auth-sessions.service.js';

/** The signed-in user's own sessions (browsers where they are signed in). */
@ApiTags('Sessions')
@ApiBearerAuth()
@Controller('api/auth/sessions')
@Authenticated({ apiTokens: false })
export class SessionsController {
  constructor(private readonly sessions: AuthSessionsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@CurrentPrincipal() principal: AuthPrincipal): Promise<{ items: SessionView[] }> {
    return { items: await this.sessions.listLive(principal.user.id, principal.sessionId) };
  }

  /** Signs that browser out: its refresh token and its access tokens stop working at once. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<void> {
    if (!(await this.sessions.end(principal.user.id, id))) throw new SessionNotFoundError(id);
  }
}
