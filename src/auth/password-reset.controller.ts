import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '#src/auth/access.decorators.js';
import { withRetryAfter } from '#src/auth/auth.controller.js';
import { SetPasswordWithTokenDto } from '#src/auth/dto/set-password-with-token.dto.js';
import { RequestPasswordResetDto } from '#src/auth/dto/request-password-reset.dto.js';
import { PasswordResetService } from '#src/auth/password-reset.service.js';
import { clientOf } from '#src/auth/sign-in.service.js';

export const PASSWORD_RESET_REQUESTED = {
  detail:
    'If an active account uses this address, a link to choose a new password is on its way. It works once, within an hour.',
};

@ApiTags('Auth')
@Controller('api/auth/password-reset')
export class PasswordResetController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  /** The same answer whether or not the address has an account. */
  @Post()
  @Public()
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  async request(
    @Body() body: RequestPasswordResetDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<typeof PASSWORD_RESET_REQUESTED> {
    await withRetryAfter(reply, () => this.passwordReset.request(body.email, clientOf(request)));
    return PASSWORD_RESET_REQUESTED;
  }

  /** Sets the new password; every session of the account ends. */
  @Post('confirm')
  @Public()
  @HttpCode(204)
  async confirm(
    @Body() body: SetPasswordWithTokenDto,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.passwordReset.confirm(body.token, body.password, clientOf(request));
  }
}
