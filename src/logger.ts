/** Shared pino options for the API and the workers (JSON lines; secrets redacted). */
import type { LoggerOptions } from 'pino';

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    level,
    name,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
}
