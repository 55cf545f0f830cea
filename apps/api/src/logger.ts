import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines to stdout, written synchronously. pino's default stdout stream is asynchronous and
 * flushes at exit in a loop that retries a broken pipe forever, so a gateway whose log reader died
 * (its supervisor or terminal) hung on SIGTERM instead of stopping; a synchronous write meets the
 * broken pipe at once, and pino then stops logging.
 */
export function stdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/** The root logger: JSON, with secrets redacted as a backstop (they should never be logged at all). */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const settings = {
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
  };
  return options.pretty ? pino(settings) : pino(settings, stdoutDestination());
}
