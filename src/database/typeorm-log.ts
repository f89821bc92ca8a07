import type { Logger as TypeOrmLoggerInterface } from 'typeorm';

/** Where TypeORM's messages go: pino in scripts, Nest's (request-aware) logger in the app. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const SLOW_QUERY_MS = 1000;
export const SLOW_QUERY_THRESHOLD_MS = SLOW_QUERY_MS;

function short(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/** Queries are traced without their parameters, which may hold personal data. */
export class TypeOrmLog implements TypeOrmLoggerInterface {
  constructor(private readonly sink: LogSink) {}

  logQuery(query: string): void {
    this.sink.trace(`query: ${short(query)}`);
  }

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    this.sink.debug(`query failed (${message}): ${short(query)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.sink.warn(`slow query (${time} ms): ${short(query)}`);
  }

  logSchemaBuild(message: string): void {
    this.sink.debug(message);
  }

  logMigration(message: string): void {
    this.sink.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    // Which files matched a glob is detail for debugging, not news.
    if (/classes (were )?found using (the )?provided glob pattern/i.test(text)) {
      this.sink.debug(text);
      return;
    }
    if (level === 'warn') this.sink.warn(text);
    else this.sink.info(text);
  }
}
