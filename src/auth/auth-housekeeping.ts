import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuthSessionsService } from '#src/auth/auth-sessions.service.js';
import { AuthThrottle } from '#src/auth/auth-throttle.service.js';
import { OneTimeTokensService } from '#src/auth/one-time-tokens.service.js';

const HOUSEKEEPING_INTERVAL_MS = 60 * 60_000;

/**
 * Deletes what auth no longer needs, hourly: throttle counters a day old, sessions ended a
 * month ago, reset and invitation links spent a week ago. Deletes are idempotent, so
 * replicas doing it at the same time do no harm.
 */
@Injectable()
export class AuthHousekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Auth');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly throttle: AuthThrottle,
    private readonly sessions: AuthSessionsService,
    private readonly tokens: OneTimeTokensService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), HOUSEKEEPING_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      const counters = await this.throttle.pruneStale();
      const sessions = await this.sessions.pruneEnded();
      const links = await this.tokens.pruneSpent();
      this.logger.debug(
        `Housekeeping deleted ${counters} throttle counter(s), ${sessions} session row(s), ${links} link token(s).`,
      );
    } catch (error) {
      this.logger.warn(`Auth housekeeping failed; it runs again in an hour: ${String(error)}`);
    }
  }
}
