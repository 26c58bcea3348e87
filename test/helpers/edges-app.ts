import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { CursorCodec } from '../../src/graph/cursor.ts';
import { QrImageSigner } from '../../src/domain/qr-images.ts';
import { FIXTURES, graphApp, type TestApp } from './graph-app.ts';

export const EDGES_SCENARIO = new URL('scenarios/edges.yaml', FIXTURES);
export const HOST = 'graph.example.test';
export const BASE = `http://${HOST}`;

export const E = {
  waba: '3100000000000001',
  otherWaba: '3100000000000002',
  first: '410000000000001',
  second: '410000000000002',
  third: '410000000000003',
  deleted: '410000000000004',
  other: '410000000000005',
} as const;

export interface EdgesApp extends TestApp {
  send(
    method: 'GET' | 'POST' | 'DELETE' | 'HEAD',
    url: string,
    options?: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** The cursor the server writes for this list scope and key (same secret from the store). */
  cursor(scope: string, key: unknown): Promise<string>;
  /** The unguessable image path of a code. */
  imagePath(code: string, format: 'PNG' | 'SVG'): Promise<string>;
}

export async function edgesApp(options: { publicUrl?: string } = {}): Promise<EdgesApp> {
  const app = await graphApp({
    scenario: readFileSync(EDGES_SCENARIO, 'utf8'),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
  });
  return {
    ...app,
    send: (method, url, sendOptions = {}) => {
      const headers: Record<string, string> = { host: HOST, ...sendOptions.headers };
      let payload: string | undefined;
      if (sendOptions.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(sendOptions.form).toString();
      } else if (sendOptions.json !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(sendOptions.json);
      }
      return app.fastify.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    },
    cursor: async (scope, key) => (await CursorCodec.fromStore(app.store)).encode(scope, key),
    imagePath: async (code, format) => (await QrImageSigner.fromStore(app.store)).path(code, format),
  };
}

/** Graph's wire form of a JSON value: `/` escaped, non-ASCII as `\uXXXX`. */
export function wire(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const DOCS =
  'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api';

export function errorBody(message: string, code: number, type: string, subcode?: number): string {
  const error: Record<string, unknown> = { message, type, code };
  if (subcode !== undefined) error.error_subcode = subcode;
  error.fbtrace_id = 'TRACEtrace0123456789-_x';
  return wire({ error });
}

export const unsupported = (method: string, id: string): string =>
  errorBody(
    `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${DOCS}`,
    100,
    'GraphMethodException',
    33,
  );

export const invalid = (detail: string): string => errorBody(`(#100) ${detail}`, 100, 'OAuthException');
