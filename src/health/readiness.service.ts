import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DATABASE_TARGET, type DatabaseTarget } from '#src/database/database.module.js';
import { pendingMigrationNames } from '#src/database/migration-runner.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';

const CHECK_TIMEOUT_MS = 3_000;

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs?: number;
  /** What went wrong and what to do about it. */
  error?: string;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  checks: { database: CheckResult; migrations: CheckResult; queue: CheckResult };
}

async function timed(
  run: () => Promise<Record<string, unknown> | void>,
  advice: string,
): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const details = await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), ...(details ?? {}) };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
    return { status: 'down', error: `${message}. ${advice}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this instance can serve traffic: database, schema and queue all in order. */
@Injectable()
export class ReadinessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
    private readonly queue: QueueConnection,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [database, migrations, queue] = await Promise.all([
      timed(async () => {
        await this.dataSource.query('SELECT 1');
        return { embedded: this.target.embedded };
      }, 'Check that PostgreSQL is running and DATABASE_URL points at it.'),
      this.checkMigrations(),
      timed(
        async () => {
          await this.queue.ping();
          return { backend: this.queue.backend };
        },
        this.queue.backend === 'redis'
          ? 'Check that Redis is running and REDIS_URL points at it.'
          : 'The queue uses the database: see the database check.',
      ),
    ]);
    const ready = [database, migrations, queue].every((check) => check.status === 'up');
    return { status: ready ? 'ready' : 'not ready', checks: { database, migrations, queue } };
  }

  private async checkMigrations(): Promise<CheckResult> {
    const result = await timed(
      async () => ({ pending: await pendingMigrationNames(this.dataSource) }),
      'The database must be reachable to compare migrations.',
    );
    const pending = (result.pending as string[] | undefined) ?? [];
    if (result.status === 'up' && pending.length > 0) {
      return {
        status: 'down',
        pending,
        error: `${pending.length} migration(s) not applied. Run "npm run migration:run" (or start with MIGRATE_ON_BOOT=true).`,
      };
    }
    return result;
  }
}
