import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { currentRequestId } from '#src/logging/request-context.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's start-up chatter (one line per module and route) is detail, not news. */
const BOOTSTRAP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger on top of pino. Every line carries the id of the request being handled,
 * if any, and the Nest context (class) that wrote it.
 */
export class FinchLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    const quiet = typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context);
    this.write(quiet ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last; an error's stack may come before it.
    const params = [...rest];
    const context =
      params.length > 0 && typeof params.at(-1) === 'string' ? params.pop() : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    const requestId = currentRequestId();
    if (requestId) fields.requestId = requestId;
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    } else {
      text = String(message);
    }
    const stack = params.find((param): param is string => typeof param === 'string');
    if (stack && !fields.err) fields.stack = stack;
    this.pino[level](fields, text);
  }
}
