import { extractAccessToken, tokenDigest } from '../graph/access-token.ts';
import type { GraphRequest, GraphResponse } from '../graph/graph-request.ts';
import type { JournalEntry } from '../contract/admin-requests.ts';

export const DEFAULT_JOURNAL_SIZE = 1000;

/** Query parameters whose values never leave the journal (control-plane.md §3). */
export const REDACTED_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'appsecret_proof',
  'pin',
  'code',
  'verify_token',
  'client_secret',
  'input_token',
]);
export const REDACTED = '[redacted]';

/**
 * What the read path keeps per request: references and two numbers. Everything the journal shows
 * (redacted query, app, Graph code, BUC header) is derived when someone reads it, never on the hot path.
 */
interface RawEntry {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly request: GraphRequest | undefined;
  readonly response: GraphResponse;
  readonly durationMs: number;
}

export type { JournalEntry };

export interface JournalFilter {
  readonly method?: string;
  /** A substring of the path. */
  readonly path?: string;
  /** An exact status (`400`) or a class (`4xx`). */
  readonly status?: string;
  readonly code?: number;
  /** One entry by its id. */
  readonly id?: number;
  readonly limit: number;
}

/** Resolves a token to its app when the journal is read; the store may have forgotten the token. */
export type AppOfTokenDigest = (digest: string) => Promise<string | undefined>;

function redactQuery(query: string): string {
  if (query === '') return '';
  const parts = query.split('&');
  return parts
    .map((part) => {
      const eq = part.indexOf('=');
      const rawKey = eq === -1 ? part : part.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // an undecodable key is shown as sent
      }
      return REDACTED_PARAMS.has(key) && eq !== -1 ? `${rawKey}=${REDACTED}` : part;
    })
    .join('&');
}

function headerOf(headers: readonly [string, string][], name: string): string | undefined {
  for (const [key, value] of headers) if (key.toLowerCase() === name) return value;
  return undefined;
}

function graphError(response: GraphResponse): { code: number | null; subcode: number | null } {
  if (response.status < 400 || response.body === '') return { code: null, subcode: null };
  try {
    const parsed = JSON.parse(response.body) as { error?: { code?: unknown; error_subcode?: unknown } };
    const code = typeof parsed.error?.code === 'number' ? parsed.error.code : null;
    const subcode = typeof parsed.error?.error_subcode === 'number' ? parsed.error.error_subcode : null;
    return { code, subcode };
  } catch {
    return { code: null, subcode: null };
  }
}

function parseJsonHeader(value: string | undefined): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The last N Graph requests in a ring buffer; N is `--journal-size` (default 1000). */
export class RequestJournal {
  readonly #entries: (RawEntry | undefined)[];
  #next = 0;
  #seq = 0;
  readonly #listeners = new Set<(id: number) => void>();

  constructor(readonly size: number = DEFAULT_JOURNAL_SIZE) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError('journal size must be a whole number ≥ 0');
    this.#entries = new Array<RawEntry | undefined>(size);
  }

  /** Called after the response is written; O(1), keeps references only. */
  record(
    method: string,
    url: string,
    request: GraphRequest | undefined,
    response: GraphResponse,
    durationMs: number,
  ): void {
    if (this.size === 0) return;
    const seq = ++this.#seq;
    this.#entries[this.#next] = { seq, at: Date.now(), method, url, request, response, durationMs };
    this.#next = (this.#next + 1) % this.size;
    for (const listener of this.#listeners) listener(seq);
  }

  /** Told the id of every new entry (the dashboard's live tail). */
  onRecord(listener: (id: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get length(): number {
    return Math.min(this.#seq, this.size);
  }

  /** Newest first, filtered, rendered with secrets redacted. */
  async list(filter: JournalFilter, appOf: AppOfTokenDigest): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    const method = filter.method?.toUpperCase();
    const statusClass = /^([1-5])xx$/i.exec(filter.status ?? '')?.[1];
    for (let i = 1; i <= this.length && out.length < filter.limit; i++) {
      const raw = this.#entries[(this.#next - i + this.size) % this.size];
      if (raw === undefined) continue;
      if (filter.id !== undefined && raw.seq !== filter.id) continue;
      if (method !== undefined && raw.method !== method) continue;
      const mark = raw.url.indexOf('?');
      const path = mark === -1 ? raw.url : raw.url.slice(0, mark);
      if (filter.path !== undefined && !path.includes(filter.path)) continue;
      const status = raw.response.drop === true ? null : raw.response.status;
      if (filter.status !== undefined) {
        if (statusClass !== undefined) {
          if (status === null || String(status)[0] !== statusClass) continue;
        } else if (String(status) !== filter.status) continue;
      }
      const error = graphError(raw.response);
      if (filter.code !== undefined && error.code !== filter.code) continue;
      out.push(
        await this.#render(raw, path, mark === -1 ? '' : raw.url.slice(mark + 1), status, error, appOf),
      );
    }
    return out;
  }

  async #render(
    raw: RawEntry,
    path: string,
    query: string,
    status: number | null,
    error: { code: number | null; subcode: number | null },
    appOf: AppOfTokenDigest,
  ): Promise<JournalEntry> {
    const token =
      raw.request === undefined
        ? undefined
        : extractAccessToken(raw.request.params.access_token, raw.request.authorization);
    const appId = token === undefined ? undefined : await appOf(tokenDigest(token));
    const headers = raw.response.headers;
    return {
      id: raw.seq,
      at: new Date(raw.at).toISOString(),
      method: raw.method,
      path,
      query: redactQuery(query),
      app_id: appId ?? null,
      status,
      code: error.code,
      error_subcode: error.subcode,
      buc_usage: parseJsonHeader(headerOf(headers, 'x-business-use-case-usage')),
      duration_ms: Math.round(raw.durationMs * 1000) / 1000,
      fbtrace_id: headerOf(headers, 'x-fb-trace-id') ?? null,
      dropped: raw.response.drop === true,
      response_headers: headers.map(([name, value]) => [name, value]),
      response_body: raw.response.body,
    };
  }
}
