import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  /** A pino level (`info`, `warn`, …, `silent`). */
  readonly level: string;
  /** Human-readable lines (pino-pretty, as a pino transport in a worker thread); else one JSON object a line. */
  readonly pretty: boolean;
}

/**
 * The server's logger, writing to stderr: pretty in a terminal, JSON otherwise. JSON lines go through
 * an asynchronous buffered stream, so a request-log line costs the request no write of its own.
 * The Authorization header is never logged (nothing logs headers; `redact` is the safety net).
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  };
  if (options.pretty) {
    return pino(
      base,
      pino.transport({
        target: 'pino-pretty',
        options: {
          destination: 2,
          colorize: true,
          singleLine: true,
          ignore: 'pid,hostname',
          translateTime: 'SYS:HH:MM:ss.l',
        },
      }),
    );
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}
