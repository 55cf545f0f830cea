import { pino, type Logger } from 'pino';

export type { Logger };

/** The root logger: JSON, with secrets redacted as a backstop (they should never be logged at all). */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'secretKey',
        '*.secretKey',
        '*.authorization',
        'req.headers.authorization',
        '*.apiKey',
        '*.signature',
        '*.password',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
