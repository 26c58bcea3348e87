import type { GraphError } from './graph-error.ts';

/** A Graph call as the protocol layer sees it, independent of the HTTP framework. */
export interface GraphRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  /** Query and body parameters merged, the body winning a clash. */
  readonly params: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** The raw query string without `?`; paging links keep it. */
  readonly query?: string;
  /** The `Host` header: the base of paging links and image URLs without `--public-url`. */
  readonly host?: string;
  /** The request came over TLS (the `--intercept` proxy): paging links and image URLs are https. */
  readonly secure?: true;
  /** Set on the items of a batch: a batch cannot nest another. */
  readonly inBatch?: boolean;
  /** A failure found while reading the request (size, body parse), reported first. */
  readonly inputError?: GraphError;
}

export interface GraphResponse {
  readonly status: number;
  readonly headers: [string, string][];
  /** Empty for 304 and 204; for HEAD the writer sends the headers (length included) without it. */
  readonly body: string;
  /** A fault rule dropped the connection: the writer destroys the socket instead of answering. */
  readonly drop?: true;
  /** For the request log: the trace id and, on an error, its code and subcode. */
  readonly traceId?: string;
  readonly errorCode?: number;
  readonly errorSubcode?: number | undefined;
  /** The writer closes the connection after this answer (a failure after the request was taken over). */
  readonly close?: true;
}

/** Flattens a parsed query or body into single strings; a repeated key keeps its last value. */
export function flattenParams(
  source: unknown,
  into: Record<string, string> = Object.create(null) as Record<string, string>,
): Record<string, string> {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return into;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined || last === null) continue;
    into[key] = typeof last === 'string' ? last : JSON.stringify(last);
  }
  return into;
}
