import type { GraphVersion } from '../contract/versions.ts';

/** Constant, documented: phonegraph does not model platform-level app usage. */
export const X_APP_USAGE = '{"call_count":0,"total_cputime":0,"total_time":0}';
/** A decimal build number, as Graph sends; bumped with releases. */
export const X_FB_REV = '1019131548';
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
export const JSONP_CONTENT_TYPE = 'text/javascript; charset=UTF-8';
const SUCCESS_CACHE_CONTROL = 'private, no-cache, no-store, must-revalidate';

export type HeaderList = [name: string, value: string][];

export const NOSNIFF: [string, string] = ['X-Content-Type-Options', 'nosniff'];

export interface HeaderInput {
  readonly contentType: string;
  readonly version: GraphVersion;
  readonly requestId: string;
  readonly traceId: string;
  readonly debugId: string;
  readonly isError: boolean;
  readonly wwwAuthenticate?: string;
  readonly bucUsage?: string;
  readonly etag?: string;
}

/** Every Graph response's headers, in graph-api.md §8's order. */
export function graphHeaders(input: HeaderInput): HeaderList {
  const headers: HeaderList = [];
  if (input.wwwAuthenticate !== undefined) headers.push(['WWW-Authenticate', input.wwwAuthenticate]);
  headers.push(
    ['Content-Type', input.contentType],
    ['Vary', 'Origin, Accept-Encoding'],
    ['Access-Control-Allow-Origin', '*'],
    ['x-app-usage', X_APP_USAGE],
  );
  if (input.bucUsage !== undefined) headers.push(['x-business-use-case-usage', input.bucUsage]);
  headers.push(
    ['facebook-api-version', input.version],
    ['Strict-Transport-Security', 'max-age=15552000; preload'],
    ['Pragma', 'no-cache'],
    ['Cache-Control', input.isError ? 'no-store' : SUCCESS_CACHE_CONTROL],
    ['Expires', 'Sat, 01 Jan 2000 00:00:00 GMT'],
    ['x-fb-request-id', input.requestId],
    ['x-fb-trace-id', input.traceId],
    ['x-fb-rev', X_FB_REV],
    ['X-FB-Debug', input.debugId],
  );
  if (input.etag !== undefined) headers.push(['ETag', input.etag]);
  // Our choice (docs/fidelity.md §8): appended after the spec's headers.
  headers.push(NOSNIFF);
  return headers;
}

/** CORS preflight: the one Graph answer without `facebook-api-version`. */
export const OPTIONS_HEADERS: HeaderList = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', 'GET, POST, DELETE'],
  ['Access-Control-Allow-Headers', 'Authorization, Content-Type'],
  NOSNIFF,
];
