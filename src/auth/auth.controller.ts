import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { REFRESH_COOKIE_SCHEME } from '#src/http/openapi.js';
import type { User } from '#src/accounts/user.entity.js';
import { Authenticated, Public } from '#src/auth/access.decorators.js';
import type { IssuedAccessToken } from '#src/auth/access-tokens.js';
import { TooManyAttemptsError } from '#src/auth/auth.errors.js';
import { type AuthMethod, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CsrfHeaderGuard } from '#src/auth/csrf.guard.js';
import { ChangePasswordDto } from '#src/auth/dto/change-password.dto.js';
import { LoginDto } from '#src/auth/dto/login.dto.js';
import {
  clearRefreshCookie,
  readRefreshCookie,
  setRefreshCookie,
} from '#src/auth/refresh-cookie.js';
import { type SignedIn, SignInService } from '#src/auth/sign-in.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

/** What clients see of a user: never a hash or a token. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
  preferredLocale: string | null;
}

export function userViewOf(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isSuperuser: user.isSuperuser,
    preferredLocale: user.preferredLocale,
  };
}

export interface AccessTokenResponse extends IssuedAccessToken {
  user: UserView;
}

export interface MeResponse extends UserView {
  /** How this request authenticated, and what its credentials may do. */
  authentication: { method: AuthMethod; scopes: readonly string[] };
}

/** Sends Retry-After with a 429 (problem details cannot carry headers themselves). */
export async function withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TooManyAttemptsError) {
      void reply.header('Retry-After', String(error.retryAfterSeconds));
    }
    throw error;
  }
}

/**
 * Signing in and out. The access token goes in the response body (the client keeps it in
 * memory); the refresh token goes in an HttpOnly cookie that only /api/auth reads.
 */
@ApiTags('Auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signIn: SignInService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenResponse> {
    const signedIn = await withRetryAfter(reply, () =>
      this.signIn.withPassword(request, body.email),
    );
    return this.answer(signedIn, reply);
  }

  @Post('refresh')
  @ApiCookieAuth(REFRESH_COOKIE_SCHEME)
  @Public()
  @UseGuards(CsrfHeaderGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async refresh(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenResponse> {
    try {
      const signedIn = await this.signIn.refresh(readRefreshCookie(request, this.config), request);
      return this.answer(signedIn, reply);
    } catch (error) {
      clearRefreshCookie(reply, this.config);
      throw error;
    }
  }

  @Post('logout')
  @ApiCookieAuth(REFRESH_COOKIE_SCHEME)
  @Public()
  @UseGuards(CsrfHeaderGuard)
  @HttpCode(204)
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.signIn.signOut(readRefreshCookie(request, this.config), request);
    clearRefreshCookie(reply, this.config);
  }

  @Get('me')
  @Authenticated()
  @ApiBearerAuth()
  @Header('Cache-Control', 'no-store')
  me(@CurrentPrincipal() principal: AuthPrincipal): MeResponse {
    return {
      ...userViewOf(principal.user),
      authentication: { method: principal.method, scopes: principal.scopes },
    };
  }

  /** Changes the caller's own password; their other sessions end. */
  @Post('password')
  @Authenticated({ apiTokens: false })
  @ApiBearerAuth()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async changePassword(
    @Body() body: ChangePasswordDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenResponse> {
    const issued = await withRetryAfter(reply, () =>
      this.signIn.changePassword(principal, body.currentPassword, body.newPassword, request),
    );
    return { ...issued, user: userViewOf(principal.user) };
  }

  private answer(signedIn: SignedIn, reply: FastifyReply): AccessTokenResponse {
    setRefreshCookie(reply, this.config, signedIn.refresh.refreshToken, signedIn.refresh.expiresAt);
    return {
      accessToken: signedIn.accessToken,
      expiresIn: signedIn.expiresIn,
      user: userViewOf(signedIn.user),
    };
  }
}
