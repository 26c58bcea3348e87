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
  readonly wwwAuthenticate?: string | undefined;
  readonly bucUsage?: string | undefined;
  readonly etag?: string | undefined;
}

// The headers every response shares are one tuple each, built once (the journal copies, never mutates).
const JSON_TYPE: [string, string] = ['Content-Type', JSON_CONTENT_TYPE];
const VARY: [string, string] = ['Vary', 'Origin, Accept-Encoding'];
const ALLOW_ORIGIN: [string, string] = ['Access-Control-Allow-Origin', '*'];
const APP_USAGE: [string, string] = ['x-app-usage', X_APP_USAGE];
const HSTS: [string, string] = ['Strict-Transport-Security', 'max-age=15552000; preload'];
const PRAGMA: [string, string] = ['Pragma', 'no-cache'];
const SUCCESS_CACHE: [string, string] = ['Cache-Control', SUCCESS_CACHE_CONTROL];
const ERROR_CACHE: [string, string] = ['Cache-Control', 'no-store'];
const EXPIRES: [string, string] = ['Expires', 'Sat, 01 Jan 2000 00:00:00 GMT'];
const FB_REV: [string, string] = ['x-fb-rev', X_FB_REV];
const VERSION_HEADERS = new Map<string, [string, string]>();

function versionHeader(version: GraphVersion): [string, string] {
  let header = VERSION_HEADERS.get(version);
  if (header === undefined) {
    header = ['facebook-api-version', version];
    VERSION_HEADERS.set(version, header);
  }
  return header;
}

/** Every Graph response's headers, in graph-api.md §8's order. */
export function graphHeaders(input: HeaderInput): HeaderList {
  const headers: HeaderList = [];
  if (input.wwwAuthenticate !== undefined) headers.push(['WWW-Authenticate', input.wwwAuthenticate]);
  headers.push(
    input.contentType === JSON_CONTENT_TYPE ? JSON_TYPE : ['Content-Type', input.contentType],
    VARY,
    ALLOW_ORIGIN,
    APP_USAGE,
  );
  if (input.bucUsage !== undefined) headers.push(['x-business-use-case-usage', input.bucUsage]);
  headers.push(
    versionHeader(input.version),
    HSTS,
    PRAGMA,
    input.isError ? ERROR_CACHE : SUCCESS_CACHE,
    EXPIRES,
    ['x-fb-request-id', input.requestId],
    ['x-fb-trace-id', input.traceId],
    FB_REV,
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
