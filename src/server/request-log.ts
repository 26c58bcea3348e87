import { performance } from 'node:perf_hooks';

/** Query parameters whose values never reach a log line (tokens, secrets, codes, PINs). */
export const REDACTED_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'appsecret_proof',
  'client_secret',
  'fb_exchange_token',
  'input_token',
  'pin',
  'code',
  'verify_token',
  'password',
]);

const REDACTED = '[redacted]';

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** The request target with the values of secret parameters replaced; the path is kept as sent. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const parts = url
    .slice(mark + 1)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      const name = equals === -1 ? part : part.slice(0, equals);
      return equals !== -1 && REDACTED_PARAMS.has(decodedName(name).toLowerCase())
        ? `${name}=${REDACTED}`
        : part;
    });
  return `${url.slice(0, mark)}?${parts.join('&')}`;
}

/** What a request-log line says about one answered request. */
export interface RequestLogLine {
  readonly plane: 'graph' | 'admin';
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly startedAt: number;
  readonly code?: number | undefined;
  readonly subcode?: number | undefined;
  readonly fbtraceId?: string | undefined;
}

export interface RequestLogger {
  isLevelEnabled?(level: string): boolean;
  info(details: Record<string, unknown>, message: string): void;
}

/**
 * One `info` line per Graph and admin request, written after the answer went out. When `info` is off
 * (`--log-level warn` and above) `enabled` is false and callers skip even the clock read.
 */
export class RequestLog {
  readonly enabled: boolean;
  readonly #logger: RequestLogger;

  constructor(logger: RequestLogger) {
    this.#logger = logger;
    this.enabled = logger.isLevelEnabled?.('info') ?? false;
  }

  /** A start time for `write`, or 0 when the log is off. */
  start(): number {
    return this.enabled ? performance.now() : 0;
  }

  write(line: RequestLogLine): void {
    if (!this.enabled) return;
    const details: Record<string, unknown> = {
      plane: line.plane,
      method: line.method,
      url: redactUrl(line.url),
      status: line.status,
    };
    if (line.code !== undefined) details.code = line.code;
    if (line.subcode !== undefined) details.subcode = line.subcode;
    details.duration_ms = Math.round((performance.now() - line.startedAt) * 100) / 100;
    if (line.fbtraceId !== undefined) details.fbtrace_id = line.fbtraceId;
    this.#logger.info(details, 'request');
  }
}
