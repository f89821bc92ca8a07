import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

export type QueueBackend = 'redis' | 'postgres';

/**
 * The connection the job queues use: Redis when REDIS_URL is set, otherwise the
 * application's PostgreSQL database (BullMQ's PostgreSQL backend).
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  readonly backend: QueueBackend;
  private readonly redis?: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.backend = config.redisUrl ? 'redis' : 'postgres';
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        lazyConnect: true,
        connectTimeout: 3_000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        // Otherwise closing while Redis is unreachable waits out ioredis's 2 s default.
        disconnectTimeout: 200,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
      // Connection errors are reported by the readiness check, not thrown at random.
      this.redis.on('error', () => undefined);
    }
  }

  /** Throws when the queue backend cannot be reached. Postgres is checked with the database. */
  async ping(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'wait') await this.redis.connect();
    await this.redis.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    }
  }
}
