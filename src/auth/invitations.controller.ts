import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '#src/auth/access.decorators.js';
import { SetPasswordWithTokenDto } from '#src/auth/dto/set-password-with-token.dto.js';
import { InvitationsService } from '#src/auth/invitations.service.js';
import { clientOf } from '#src/auth/sign-in.service.js';

/** Accepting an invitation. Sending them is InvitationsService.invite (the users API). */
@ApiTags('Auth')
@Controller('api/auth/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /** Sets the invited user's password; they sign in with it next. */
  @Post('accept')
  @Public()
  @HttpCode(204)
  async accept(
    @Body() body: SetPasswordWithTokenDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.invitations.accept(body.token, body.password, clientOf(request));
  }
}
