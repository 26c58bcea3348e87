import { parseBusinessUseCaseUsage, regainAccessMs, type BusinessUseCaseUsage } from './usage.ts';

/** What every SDK error keeps; Graph fields are `undefined` where the failure had no Graph envelope. */
export interface GraphErrorDetails {
  message: string;
  code?: number | undefined;
  subcode?: number | undefined;
  type?: string | undefined;
  httpStatus?: number | undefined;
  fbtraceId?: string | undefined;
  isTransient?: boolean | undefined;
  userTitle?: string | undefined;
  userMessage?: string | undefined;
  errorData?: Readonly<Record<string, unknown>> | undefined;
  rawBody?: string | undefined;
  usage?: BusinessUseCaseUsage | undefined;
  cause?: unknown;
}

/** Base of every error the SDK throws. `instanceof GraphError` catches them all. */
export class GraphError extends Error {
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly type: string | undefined;
  readonly httpStatus: number | undefined;
  readonly fbtraceId: string | undefined;
  readonly isTransient: boolean;
  readonly userTitle: string | undefined;
  readonly userMessage: string | undefined;
  /** The envelope's `error_data` object (WhatsApp errors from v16.0: `{messaging_product, details}`). */
  readonly errorData: Readonly<Record<string, unknown>> | undefined;
  /**
   * What went wrong, as Meta tells integrators to read it: `error_data.details` (WhatsApp errors from
   * v16.0), else `error_user_msg` (the older form of the same rows), else undefined.
   */
  readonly details: string | undefined;
  /** The response body exactly as received (undefined when there was no response). */
  readonly rawBody: string | undefined;
  readonly usage: BusinessUseCaseUsage | undefined;

  constructor(details: GraphErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.subcode = details.subcode;
    this.type = details.type;
    this.httpStatus = details.httpStatus;
    this.fbtraceId = details.fbtraceId;
    this.isTransient = details.isTransient ?? false;
    this.userTitle = details.userTitle;
    this.userMessage = details.userMessage;
    this.errorData = details.errorData;
    const fromData = details.errorData?.details;
    this.details = typeof fromData === 'string' ? fromData : details.userMessage;
    this.rawBody = details.rawBody;
    this.usage = details.usage;
  }
}

/** 104 (no token) and 190 (invalid, expired 463, revoked 460). */
export class AuthenticationError extends GraphError {}
/** 10 and 200-299. */
export class PermissionError extends GraphError {}
/** 4, 17, 32, 613, 80000-80014, 130429. */
export class RateLimitError extends GraphError {
  /** From `estimated_time_to_regain_access` of the usage header; 0 when the header gives no wait. */
  readonly retryAfterMs: number;
  constructor(details: GraphErrorDetails) {
    super(details);
    this.retryAfterMs = regainAccessMs(details.usage);
  }
}
/** 100, 803, 2500, and any other 4xx envelope not classified above. */
export class InvalidRequestError extends GraphError {}
/**
 * WhatsApp-specific rows (codes 13xxxx, phone-number.md §5.2): still invalid requests, so
 * `instanceof InvalidRequestError` holds; the subclasses name the ones a caller branches on.
 */
export class WhatsAppError extends InvalidRequestError {}
/** 133005: the two-step PIN sent to `register` is not the number's PIN. Nothing changed. */
export class PinMismatchError extends WhatsAppError {}
/** 133016: more than 10 `register`/`deregister` calls for the number in 72 hours. */
export class RegisterRateLimitError extends WhatsAppError {}
/** 136024: more than 10 `request_code` calls for the number in 72 hours. */
export class CodeRequestLimitError extends WhatsAppError {}
/** 136025: the verification code is wrong or expired (`userMessage` says which). */
export class VerifyCodeError extends WhatsAppError {}
/** 1, 2, and any 5xx. */
export class ServerError extends GraphError {}
/** No answer: refused, reset, DNS failure, or `timeoutMs` elapsed (`timedOut`). */
export class ConnectionError extends GraphError {
  readonly timedOut: boolean;
  /** True when the request certainly never reached the server (refused, unresolvable host). */
  readonly notSent: boolean;
  constructor(details: GraphErrorDetails & { timedOut?: boolean; notSent?: boolean }) {
    super(details);
    this.timedOut = details.timedOut ?? false;
    this.notSent = details.notSent ?? false;
  }
}
/** An answer that is not the JSON Graph documents. */
export class ResponseParseError extends GraphError {}

export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613, 130429]);

type ErrorClass = new (details: GraphErrorDetails) => GraphError;

/** WhatsApp codes with their own class; other 13xxxx codes are `WhatsAppError`. */
const WHATSAPP_ERROR_CLASSES: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [133005, PinMismatchError],
  [133016, RegisterRateLimitError],
  [136024, CodeRequestLimitError],
  [136025, VerifyCodeError],
]);

/** The one place that picks an error class for a Graph code and HTTP status. */
export function errorClassFor(code: number | undefined, httpStatus: number | undefined): ErrorClass {
  if (code !== undefined) {
    if (code === 104 || code === 190) return AuthenticationError;
    if (code === 10 || (code >= 200 && code <= 299)) return PermissionError;
    if (RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014)) return RateLimitError;
    if (code === 100 || code === 803 || code === 2500) return InvalidRequestError;
    if (code === 1 || code === 2) return ServerError;
    if (code >= 130000 && code <= 139999 && (httpStatus === undefined || httpStatus < 500))
      return WHATSAPP_ERROR_CLASSES.get(code) ?? WhatsAppError;
  }
  if (httpStatus !== undefined && httpStatus >= 500) return ServerError;
  return InvalidRequestError;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * The error factory: a Graph error envelope (any HTTP status, `suppress_http_code` included) or a failed
 * status becomes the matching class. Returns `undefined` for a successful, well-formed answer.
 */
export function errorFromResponse(response: {
  status: number;
  text: string;
  headers: { get(name: string): string | null };
}): GraphError | undefined {
  const usage = parseBusinessUseCaseUsage(response.headers.get('x-business-use-case-usage'));
  const traceHeader = response.headers.get('x-fb-trace-id') ?? undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch (cause) {
    const Class = response.status >= 500 ? ServerError : ResponseParseError;
    return new Class({
      message: `Graph answered HTTP ${response.status} with a body that is not JSON`,
      httpStatus: response.status,
      fbtraceId: traceHeader,
      rawBody: response.text,
      usage,
      cause,
    });
  }
  const envelope =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).error
      : undefined;
  if (typeof envelope === 'object' && envelope !== null) {
    const e = envelope as Record<string, unknown>;
    const code = num(e.code);
    const Class = errorClassFor(code, response.status);
    return new Class({
      message: str(e.message) ?? `Graph error ${code ?? ''}`.trim(),
      code,
      subcode: num(e.error_subcode),
      type: str(e.type),
      httpStatus: response.status,
      fbtraceId: str(e.fbtrace_id) ?? traceHeader,
      isTransient: e.is_transient === true,
      userTitle: str(e.error_user_title),
      userMessage: str(e.error_user_msg),
      errorData:
        typeof e.error_data === 'object' && e.error_data !== null && !Array.isArray(e.error_data)
          ? (e.error_data as Record<string, unknown>)
          : undefined,
      rawBody: response.text,
      usage,
    });
  }
  if (response.status >= 400) {
    const Class = response.status >= 500 ? ServerError : ResponseParseError;
    return new Class({
      message: `Graph answered HTTP ${response.status} without an error envelope`,
      httpStatus: response.status,
      fbtraceId: traceHeader,
      rawBody: response.text,
      usage,
    });
  }
  return undefined;
}
