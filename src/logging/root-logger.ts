import { pino, type Logger as PinoLogger } from 'pino';
import type { AppConfig } from '#src/config/app-config.js';

/**
 * The one pino logger of a process. JSON lines in production (one object per line, for
 * log shippers); pretty, coloured lines when a person watches a terminal.
 */
export function createRootLogger(config: Pick<AppConfig, 'log'>, name = 'finch'): PinoLogger {
  return pino({
    name,
    level: config.log.level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.secretKey',
      ],
      censor: '[redacted]',
    },
    transport: config.log.pretty
      ? {
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : undefined,
  });
}
