import {
  ConnectionError,
  errorFromResponse,
  GraphError,
  RateLimitError,
  ResponseParseError,
  ServerError,
} from './errors.ts';
import { parseBusinessUseCaseUsage, type BusinessUseCaseUsage } from './usage.ts';
import {
  BusinessProfiles,
  PhoneNumbers,
  QrCodes,
  Wabas,
  type PhoneNumber,
  type TimeOf,
  type Waba,
  type WabaFieldName,
} from './resources.ts';
import type { PhoneNumberFieldName } from '../contract/phone-number.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Optional options also take `undefined` (e.g. `process.env.APP_SECRET` under exactOptionalPropertyTypes). */
export interface GraphClientOptions {
  accessToken: string;
  /** Default `https://graph.facebook.com`; a phonegraph server's URL works unchanged. */
  baseUrl?: string | undefined;
  /** Default `v26.0`. */
  version?: string | undefined;
  /** When given, every call carries `appsecret_proof` = hex HMAC-SHA256(appSecret, accessToken). */
  appSecret?: string | undefined;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Per attempt; default 30000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number | undefined;
  /** First backoff step; default 500 ms, doubled per attempt, full jitter. */
  retryBaseDelayMs?: number | undefined;
  /** Cap of one backoff step; default 10000 ms. */
  retryMaxDelayMs?: number | undefined;
  /** Longest `estimated_time_to_regain_access` worth waiting for; longer → the error is thrown. Default 60000. */
  maxRetryAfterMs?: number | undefined;
  /** Called before each retry (after the backoff is chosen, before waiting), e.g. to log what was retried. */
  onRetry?: ((retry: RetryInfo) => void) | undefined;
}

/** What `onRetry` is told about one retry. */
export interface RetryInfo {
  readonly method: GraphMethod;
  /** The path as given to the call, relative to the version. */
  readonly path: string;
  /** 1 for the first retry, 2 for the second, … */
  readonly attempt: number;
  /** The failure being retried. */
  readonly error: GraphError;
  /** How long the client waits before the retry. */
  readonly delayMs: number;
}

export type GraphParamValue = string | number | boolean | readonly unknown[] | Record<string, unknown>;
export type GraphParams = Readonly<Record<string, GraphParamValue | undefined>>;
export type GraphMethod = 'GET' | 'POST' | 'DELETE';

/** A parsed Graph answer with what the headers tell. */
export interface GraphResponse<T = unknown> {
  data: T;
  status: number;
  /** The parsed `x-business-use-case-usage` header, when sent. */
  usage: BusinessUseCaseUsage | undefined;
  /** `x-fb-trace-id`. */
  traceId: string | undefined;
  /** `x-fb-request-id`. */
  requestId: string | undefined;
}

export interface BatchRequest {
  method: GraphMethod;
  /** e.g. `410000000000001?fields=status` (unversioned takes the client's version). */
  relative_url: string;
  /** Parameters of a POST item. */
  body?: GraphParams;
  name?: string;
  depends_on?: string;
}

export interface BatchItemResult<T = unknown> {
  code: number;
  headers: { name: string; value: string }[];
  /** The item's parsed body (undefined when it was not JSON). */
  body: T | undefined;
  /** Set when the item failed: the same class a standalone call would have thrown. */
  error: GraphError | undefined;
}

const RETRYABLE_READ_CODES: ReadonlySet<number> = new Set([1, 2, 4, 17, 341, 80008]);
/** Refused before any work: safe to repeat a POST. */
const NOT_APPLIED_CODES: ReadonlySet<number> = new Set([4, 17, 613, 80008]);
const NOT_SENT_CAUSES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lowercase hex HMAC-SHA256 with WebCrypto (browsers and Node alike). */
export async function hmacSha256Hex(key: string, message: string | Uint8Array): Promise<string> {
  const encoder = new TextEncoder();
  const cryptoKey = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  // A Uint8Array over a SharedArrayBuffer is not a BufferSource in the DOM typings; callers pass plain ones.
  const data = (typeof message === 'string' ? encoder.encode(message) : message) as Parameters<
    typeof globalThis.crypto.subtle.sign
  >[2];
  return hex(await globalThis.crypto.subtle.sign('HMAC', cryptoKey, data));
}

/** Graph's wire form of one parameter: arrays and objects as JSON. */
function paramString(value: GraphParamValue): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function toSearchParams(params: GraphParams | undefined): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {}))
    if (value !== undefined) search.append(name, paramString(value));
  return search;
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const text = (current as { message?: unknown }).message;
    if (typeof text === 'string') message = text;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The typed client of the WhatsApp Business phone-number part of Graph. */
export class GraphClient {
  readonly baseUrl: string;
  readonly version: string;
  readonly phoneNumbers: PhoneNumbers;
  readonly wabas: Wabas;
  readonly qrCodes: QrCodes;
  readonly businessProfiles: BusinessProfiles;
  readonly #accessToken: string;
  readonly #appSecret: string | undefined;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #onRetry: ((retry: RetryInfo) => void) | undefined;
  #proof: Promise<string> | undefined;

  constructor(options: GraphClientOptions) {
    if (typeof options.accessToken !== 'string' || options.accessToken === '')
      throw new TypeError('GraphClient needs an accessToken');
    this.#accessToken = options.accessToken;
    this.baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    this.version = options.version ?? 'v26.0';
    this.#appSecret = options.appSecret;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#baseDelayMs = options.retryBaseDelayMs ?? 500;
    this.#maxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#onRetry = options.onRetry;
    this.phoneNumbers = new PhoneNumbers(this);
    this.qrCodes = new QrCodes(this);
    this.businessProfiles = new BusinessProfiles(this);
    this.wabas = new Wabas(this);
  }

  get<T = unknown>(path: string, params?: GraphParams): Promise<GraphResponse<T>> {
    return this.request<T>('GET', path, params);
  }

  post<T = unknown>(path: string, params?: GraphParams): Promise<GraphResponse<T>> {
    return this.request<T>('POST', path, params);
  }

  delete<T = unknown>(path: string, params?: GraphParams): Promise<GraphResponse<T>> {
    return this.request<T>('DELETE', path, params);
  }

  /**
   * Multiple-id read, `GET /?ids=A,B&fields=…` (at most 50 ids; Graph answers each keyed by its id).
   * Typed per node by the fields: phone-number fields give phone numbers, WABA fields WABAs; any other
   * list (ids of mixed types sharing fields) gives plain records. One failing id fails the whole call.
   */
  getMany<
    const I extends readonly string[],
    const F extends readonly PhoneNumberFieldName[],
    const D extends string | undefined = undefined,
  >(
    ids: I,
    options: { fields: F; date_format?: D },
  ): Promise<{ [K in I[number]]: PhoneNumber<F, TimeOf<D>> }>;
  getMany<const I extends readonly string[], const F extends readonly WabaFieldName[]>(
    ids: I,
    options: { fields: F },
  ): Promise<{ [K in I[number]]: Waba<F> }>;
  getMany<const I extends readonly string[]>(
    ids: I,
    options?: { fields?: readonly string[]; date_format?: string },
  ): Promise<{ [K in I[number]]: Record<string, unknown> }>;
  async getMany(
    ids: readonly string[],
    options: { fields?: readonly string[]; date_format?: string } = {},
  ): Promise<unknown> {
    return (
      await this.get('', {
        ids: ids.join(','),
        fields: options.fields?.join(','),
        date_format: options.date_format,
      })
    ).data;
  }

  /** Graph batch (at most 50 items); failed items carry their error instead of throwing. */
  async batch(requests: readonly BatchRequest[]): Promise<GraphResponse<BatchItemResult[]>> {
    const batch = requests.map((item) => ({
      method: item.method,
      relative_url: item.relative_url.replace(/^\/+/, ''),
      ...(item.body === undefined ? {} : { body: toSearchParams(item.body).toString() }),
      ...(item.name === undefined ? {} : { name: item.name }),
      ...(item.depends_on === undefined ? {} : { depends_on: item.depends_on }),
    }));
    const response = await this.request<unknown>('POST', '', {
      batch,
      access_token: this.#accessToken,
      include_headers: true,
    });
    if (!Array.isArray(response.data))
      throw new ResponseParseError({
        message: 'A batch answer must be a JSON array',
        httpStatus: response.status,
        fbtraceId: response.traceId,
        rawBody: JSON.stringify(response.data),
      });
    const items = (response.data as unknown[]).map((raw): BatchItemResult => {
      const item = (raw ?? {}) as {
        code?: number;
        headers?: { name: string; value: string }[];
        body?: string;
      };
      const headers = item.headers ?? [];
      const text = item.body ?? '';
      const code = item.code ?? 0;
      const headerMap = new Map(headers.map((h) => [h.name.toLowerCase(), h.value]));
      const error = errorFromResponse({
        status: code,
        text,
        headers: { get: (n) => headerMap.get(n) ?? null },
      });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { code, headers, body, error };
    });
    return { ...response, data: items };
  }

  /** One Graph call with the retry policy of docs/sdk.md. `path` is relative to the version. */
  async request<T>(method: GraphMethod, path: string, params?: GraphParams): Promise<GraphResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt<T>(method, path, params);
      } catch (error) {
        if (!(error instanceof GraphError) || attempt >= this.#maxRetries) throw error;
        const delay = this.#retryDelay(method, error, attempt);
        if (delay === undefined) throw error;
        this.#onRetry?.({ method, path, attempt: attempt + 1, error, delayMs: delay });
        await sleep(delay);
      }
    }
  }

  /** Milliseconds to wait before retrying, or `undefined` when the call must not be repeated. */
  #retryDelay(method: GraphMethod, error: GraphError, attempt: number): number | undefined {
    let retryable: boolean;
    if (error instanceof ConnectionError) {
      retryable = method === 'POST' ? error.notSent : true;
    } else if (method === 'POST') {
      retryable = error.code !== undefined && NOT_APPLIED_CODES.has(error.code);
    } else {
      retryable =
        error.isTransient ||
        (error.code !== undefined && RETRYABLE_READ_CODES.has(error.code)) ||
        (error instanceof ServerError && error.code === undefined);
    }
    if (!retryable) return undefined;
    if (error instanceof RateLimitError && error.retryAfterMs > 0) {
      if (error.retryAfterMs > this.#maxRetryAfterMs) return undefined;
      return error.retryAfterMs;
    }
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt);
    return Math.random() * ceiling;
  }

  #url(path: string): string {
    const trimmed = path.replace(/^\/+/, '');
    return `${this.baseUrl}/${this.version}/${trimmed}`;
  }

  async #attempt<T>(method: GraphMethod, path: string, params?: GraphParams): Promise<GraphResponse<T>> {
    const search = toSearchParams(params);
    if (this.#appSecret !== undefined) {
      this.#proof ??= hmacSha256Hex(this.#appSecret, this.#accessToken);
      search.set('appsecret_proof', await this.#proof);
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.#accessToken}` };
    let url = this.#url(path);
    let body: string | undefined;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = search.toString();
    } else if ([...search.keys()].length > 0) {
      url += `${url.includes('?') ? '&' : '?'}${search.toString()}`;
    }
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const name = (cause as { name?: string }).name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const code = causeCode(cause);
      throw new ConnectionError({
        message: timedOut
          ? `No answer from ${this.baseUrl} within ${this.#timeoutMs} ms`
          : `Cannot reach ${this.baseUrl}: ${code ?? innermostMessage(cause)}`,
        timedOut,
        notSent: code !== undefined && NOT_SENT_CAUSES.has(code),
        cause,
      });
    }
    const error = errorFromResponse({ status: response.status, text, headers: response.headers });
    if (error !== undefined) throw error;
    let data: T;
    try {
      data = JSON.parse(text) as T;
    } catch (cause) {
      throw new ResponseParseError({
        message: 'Graph answered with a body that is not JSON',
        httpStatus: response.status,
        rawBody: text,
        cause,
      });
    }
    return {
      data,
      status: response.status,
      usage: parseBusinessUseCaseUsage(response.headers.get('x-business-use-case-usage')),
      traceId: response.headers.get('x-fb-trace-id') ?? undefined,
      requestId: response.headers.get('x-fb-request-id') ?? undefined,
    };
  }
}
