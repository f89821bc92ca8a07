import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { WeakPasswordError } from '#src/accounts/accounts.errors.js';
import { FirstRunClosedError, UsersService } from '#src/accounts/users.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

/**
 * Unattended installs (compose): with FINCH_ADMIN_EMAIL and FINCH_ADMIN_PASSWORD set and
 * no user yet, the first superuser is created at boot. Replicas booting together are
 * safe: exactly one creates it. Once anyone exists, the variables are ignored.
 */
@Injectable()
export class FirstSuperuserFromEnvironment implements OnApplicationBootstrap {
  private readonly logger = new Logger('Accounts');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.firstSuperuser;
    if (!wanted) return;
    if ((await this.users.count()) > 0) {
      this.logger.debug(
        'FINCH_ADMIN_EMAIL is set but Finch has users already: nothing to create. FINCH_ADMIN_PASSWORD can be removed from the environment.',
      );
      return;
    }
    try {
      const user = await this.users.createFirstSuperuser(
        { email: wanted.email, password: wanted.password },
        { via: 'environment' },
      );
      this.logger.log(`Created the first superuser, ${user.email}, from FINCH_ADMIN_EMAIL.`);
    } catch (error) {
      // Another replica created it a moment ago.
      if (error instanceof FirstRunClosedError) return;
      if (error instanceof WeakPasswordError) {
        throw new Error(
          `FINCH_ADMIN_PASSWORD is not acceptable: the password ${error.errors?.[0]?.message ?? 'breaks the password policy'}. Choose another (at least 12 characters, not a common password, not the email), or unset FINCH_ADMIN_EMAIL and FINCH_ADMIN_PASSWORD and create the first user another way (see the README).`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
