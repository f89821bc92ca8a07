import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { DATABASE_TARGET, type DatabaseTarget } from '#src/database/database.module.js';

/** NOTIFY is delivered only when the transaction commits, so listeners never see a rollback. */
export const CONTENT_CHANNEL = 'finch_content';
const PENDING = 'finch:content-changes';

export interface ContentChange {
  objectType: 'page' | 'snippet' | 'content_type' | 'site' | 'feed';
  objectId: string;
  /** e.g. `published`, `unpublished`, `moved`, `deleted`, `saved`. */
  action: string;
}

export type ContentChangeListener = (change: ContentChange) => void;

/**
 * Tells every process when published content (or a content type) changed, once the change
 * has committed: caches listen here. Within this process listeners hear it right after the
 * commit; other processes hear it through PostgreSQL NOTIFY. (The embedded database is one
 * process, and NOTIFY does not cross its connections, so it needs no LISTEN.)
 */
@Injectable()
export class ContentChanges implements OnApplicationShutdown {
  private readonly logger = new Logger('ContentChanges');
  private readonly listeners = new Set<ContentChangeListener>();
  private listener?: pg.Client;
  private listening = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        const pending = event.queryRunner.data[PENDING] as ContentChange[] | undefined;
        if (!pending) return;
        delete event.queryRunner.data[PENDING];
        for (const change of pending) this.emit(change);
      },
      afterTransactionRollback: (event: TransactionRollbackEvent) => {
        delete event.queryRunner.data[PENDING];
      },
    };
    this.dataSource.subscribers.push(subscriber);
  }

  /**
   * Records a change made in `manager`'s transaction: listeners hear of it when (and only
   * if) it commits.
   */
  async record(manager: EntityManager, change: ContentChange): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('ContentChanges.record() needs the manager of an open transaction.');
    }
    await manager.query('SELECT pg_notify($1, $2)', [CONTENT_CHANNEL, JSON.stringify(change)]);
    const pending = (runner.data[PENDING] as ContentChange[] | undefined) ?? [];
    pending.push(change);
    runner.data[PENDING] = pending;
  }

  /** Calls `listener` after each committed change, from any process. Returns the unsubscribe. */
  onChange(listener: ContentChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.listening && !this.target.embedded) {
      this.listening = true;
      void this.listen().catch((error: Error) =>
        this.logger.warn(`Could not LISTEN for content changes (${error.message}).`),
      );
    }
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private emit(change: ContentChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`A content change listener failed: ${(error as Error).message}`);
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.target.url,
      application_name: 'finch-content-changes',
    });
    client.on('notification', (message) => {
      // This process's own changes arrive twice (here and after its commit): listeners
      // are idempotent (they drop cache entries).
      if (!message.payload) return;
      try {
        this.emit(JSON.parse(message.payload) as ContentChange);
      } catch {
        // Not ours to parse; ignore.
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`Content change LISTEN connection lost (${error.message}); reconnecting.`);
      this.listener = undefined;
      // Whatever was missed while disconnected: tell listeners everything may have changed.
      this.emit({ objectType: 'site', objectId: '*', action: 'reconnected' });
      setTimeout(
        () => void (this.stopped ? undefined : this.listen().catch(() => undefined)),
        1_000,
      ).unref();
    });
    await client.connect();
    if (this.stopped) {
      await client.end();
      return;
    }
    await client.query(`LISTEN ${CONTENT_CHANNEL}`);
    this.listener = client;
  }
}
