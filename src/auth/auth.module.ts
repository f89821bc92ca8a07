import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { AccessGuard } from '#src/auth/access.guard.js';
import { AccessTokenIssuer } from '#src/auth/access-tokens.js';
import { ApiToken } from '#src/auth/api-token.entity.js';
import { ApiTokensController } from '#src/auth/api-tokens.controller.js';
import { ApiTokensService } from '#src/auth/api-tokens.service.js';
import { AuthController } from '#src/auth/auth.controller.js';
import { AuthHousekeeping } from '#src/auth/auth-housekeeping.js';
import { AuthSession } from '#src/auth/auth-session.entity.js';
import { AuthSessionsService } from '#src/auth/auth-sessions.service.js';
import { AuthThrottleCounter } from '#src/auth/auth-throttle.entity.js';
import { AuthThrottle } from '#src/auth/auth-throttle.service.js';
import { InvitationsController } from '#src/auth/invitations.controller.js';
import { InvitationsService } from '#src/auth/invitations.service.js';
import { OneTimeToken } from '#src/auth/one-time-token.entity.js';
import { OneTimeTokensService } from '#src/auth/one-time-tokens.service.js';
import { PassportStrategies } from '#src/auth/passport-strategies.js';
import { PasswordResetController } from '#src/auth/password-reset.controller.js';
import { PasswordResetService } from '#src/auth/password-reset.service.js';
import { SessionsController } from '#src/auth/sessions.controller.js';
import { SignInService } from '#src/auth/sign-in.service.js';
import { UndeclaredRoutesReport } from '#src/auth/undeclared-routes.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { MailModule } from '#src/mail/mail.module.js';

/**
 * Authentication: sign-in (passport-local), JWT access tokens and rotating refresh
 * sessions, API tokens, throttling, password resets and invitations, and the global
 * AccessGuard that enforces every route's declared access rule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuthSession, ApiToken, OneTimeToken, AuthThrottleCounter]),
    DiscoveryModule,
    AccountsModule,
    AuditModule,
    MailModule,
  ],
  controllers: [
    AuthController,
    SessionsController,
    ApiTokensController,
    PasswordResetController,
    InvitationsController,
  ],
  providers: [
    AccessTokenIssuer,
    AuthSessionsService,
    ApiTokensService,
    AuthThrottle,
    OneTimeTokensService,
    PassportStrategies,
    SignInService,
    PasswordResetService,
    InvitationsService,
    AuthHousekeeping,
    UndeclaredRoutesReport,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [InvitationsService, AuthSessionsService, ApiTokensService, PassportStrategies],
})
export class AuthModule {}
