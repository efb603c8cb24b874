/**
 * Shared pino options for the API and the workers: JSON lines (secrets redacted), or one
 * human-readable line per event through pino-pretty (LOG_FORMAT=pretty, the default on a terminal).
 */
import type { LoggerOptions } from 'pino';

export function loggerOptions(level: string, name: string, format: 'json' | 'pretty' = 'json'): LoggerOptions {
  return {
    level,
    name,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization'],
      censor: '[redacted]',
    },
    ...(format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}
