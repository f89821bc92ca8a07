import { Inject, Injectable } from '@nestjs/common';
import {
  createPostgresBackend,
  type Processor,
  Queue,
  runMigrations as runQueueMigrations,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { DATABASE_TARGET, type DatabaseTarget } from '#src/database/database.module.js';

export type QueueBackend = 'redis' | 'postgres';

/**
 * The embedded database delivers no notifications between connections. A worker waiting
 * for a delayed job due in an hour (a cancelled schedule's, say) blocks until then, or for
 * the backend's ceiling, and does not hear of a job added for three seconds from now. On
 * the embedded database it asks again every second instead, as its drainDelay does when idle.
 */
const embeddedPostgresBackend: typeof createPostgresBackend = (...args) => {
  const backend = createPostgresBackend(...args);
  Object.defineProperty(backend, 'maximumBlockTimeout', { value: 1 });
  return backend;
};

/**
 * The connection every queue and worker of this process shares: Redis when REDIS_URL is
 * set, otherwise BullMQ's PostgreSQL backend on the application database (schema
 * `bullmq`), so the embedded setup needs no Redis.
 */
@Injectable()
export class QueueConnection {
  readonly backend: QueueBackend;
  /** The queues live in the embedded database (no notifications between connections). */
  readonly embedded: boolean;
  private readonly redis?: Redis;
  /** For readiness: fails fast instead of queueing commands while Redis is away. */
  private readonly probe?: Redis;
  private readonly pool?: pg.Pool;
  /** BullMQ keys live under this prefix, apart from anything else in the same Redis. */
  private readonly prefix: string;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATABASE_TARGET) target: DatabaseTarget,
  ) {
    this.backend = config.redisUrl ? 'redis' : 'postgres';
    this.embedded = this.backend === 'postgres' && target.embedded;
    this.prefix = config.jobs.queuePrefix;
    if (config.redisUrl) {
      // Workers block on Redis: BullMQ requires maxRetriesPerRequest: null on their connections.
      this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
      this.probe = new Redis(config.redisUrl, {
        lazyConnect: true,
        connectTimeout: 3_000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        // Otherwise closing while Redis is unreachable waits out ioredis's 2 s default.
        disconnectTimeout: 200,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
      // Errors surface through readiness and job failures, not as unhandled events.
      this.redis.on('error', () => undefined);
      this.probe.on('error', () => undefined);
    } else {
      // One pool for every queue and worker (each worker also holds one LISTEN connection).
      // The embedded database ignores connection options: its one session has `bullmq` on
      // its search path already (see startEmbeddedPostgres).
      this.pool = new pg.Pool({
        connectionString: target.url,
        max: 30,
        options: '-c search_path=bullmq,public',
        application_name: 'finch-queues',
      });
      this.pool.on('error', () => undefined);
    }
  }

  /**
   * Both backends expose the same Queue and Worker API; only their construction differs,
   * and it happens here. (The casts: BullMQ types each backend's classes separately.)
   */
  newQueue(name: string): Queue {
    if (this.redis) return new Queue(name, { connection: this.redis, prefix: this.prefix });
    return new Queue(
      name,
      { connection: this.pool!, prefix: this.prefix },
      createPostgresBackend,
    ) as unknown as Queue;
  }

  newWorker(
    name: string,
    processor: Processor,
    options: Omit<WorkerOptions, 'connection' | 'prefix'>,
  ): Worker {
    if (this.redis) {
      return new Worker(name, processor, {
        ...options,
        connection: this.redis,
        prefix: this.prefix,
      });
    }
    return new Worker(
      name,
      processor,
      { ...options, connection: this.pool!, prefix: this.prefix },
      this.embedded ? embeddedPostgresBackend : createPostgresBackend,
    ) as unknown as Worker;
  }

  /** Creates or upgrades BullMQ's own tables when the queues live in PostgreSQL. Idempotent. */
  async prepare(): Promise<void> {
    if (!this.pool) return;
    const client = await this.pool.connect();
    try {
      await runQueueMigrations(client);
    } finally {
      client.release();
    }
  }

  /** Throws when the queue backend cannot be reached. */
  async ping(): Promise<void> {
    if (this.probe) {
      if (this.probe.status === 'wait') await this.probe.connect();
      await this.probe.ping();
      return;
    }
    await this.pool?.query('SELECT 1');
  }

  /** Called last, after every queue and worker of this process has closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const client of [this.redis, this.probe]) {
      if (client && client.status !== 'end') await client.quit().catch(() => client.disconnect());
    }
    await this.pool?.end().catch(() => undefined);
  }
}
