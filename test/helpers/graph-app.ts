import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { parseScenarioText } from '../../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../../src/domain/state-loader.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { RequestIds } from '../../src/graph/request-ids.ts';
import { buildApp, type PhonegraphApp } from '../../src/server/build-app.ts';
import type { Store } from '../../src/store/store.ts';
import { freshTestStore } from './test-store.ts';

export const FIXTURES = new URL('../fixtures/', import.meta.url);
export const GRAPH_SCENARIO = new URL('scenarios/graph.yaml', FIXTURES);

/** The fixed "now" of the Graph suites: after T-EXPIRED's expiry. */
export const NOW = new Date('2026-11-24T12:00:00.000Z');
export const fixedClock: Clock = { now: () => NOW };

export const TRACE_ID = 'TRACEtrace0123456789-_x';
export const REQUEST_ID = 'REQUESTrequest01234567';
export const DEBUG_ID = 'DEBUGdebug+/0123456789'.repeat(4);
export const fixedIds: RequestIds = {
  traceId: () => TRACE_ID,
  requestId: () => REQUEST_ID,
  debugId: () => DEBUG_ID,
};

export const ID = {
  app: '1100000000000001',
  proofApp: '1100000000000002',
  business: '2100000000000001',
  waba: '3100000000000001',
  bannedWaba: '3100000000000002',
  otherWaba: '3100000000000003',
  connected: '410000000000001',
  flagged: '410000000000002',
  pending: '410000000000003',
  banned: '410000000000004',
  other: '410000000000005',
} as const;

export interface TestApp extends PhonegraphApp {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function loadScenarioText(store: Store, text: string, clock: Clock = fixedClock): Promise<void> {
  await loadScenario(store, parseScenarioText(text, 'test.yaml'), clock);
}

/**
 * A fresh in-process server on a private store (in-memory SQLite, or PostgreSQL with
 * `PHONEGRAPH_TEST_STORE=postgres`), loaded with the Graph fixture.
 */
export async function graphApp(
  options: {
    store?: Store;
    ids?: RequestIds | 'random';
    scenario?: string;
    clock?: Clock;
    publicUrl?: string;
  } = {},
): Promise<TestApp> {
  const store = options.store ?? (await freshTestStore());
  const clock = options.clock ?? fixedClock;
  await loadScenarioText(store, options.scenario ?? readFileSync(GRAPH_SCENARIO, 'utf8'), clock);
  const ids = options.ids ?? fixedIds;
  const app = buildApp({
    store,
    clock,
    ...(ids === 'random' ? {} : { ids }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
  });
  return {
    ...app,
    get: (url, headers = {}) => app.fastify.inject({ method: 'GET', url, headers }),
    close: async () => {
      await app.fastify.close();
      await app.store.close();
    },
  };
}

/** The headers every Graph response carries, in graph-api.md §8 order, as a test expects them. */
export function expectedHeaders(options: {
  version: string;
  error?: string;
  kind?: 'invalid_token' | 'invalid_request';
  etag?: string;
  contentType?: string;
  /** The WABA whose usage header a counted call carries (an idle window: every figure 0). */
  bucWaba?: string;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.error !== undefined) {
    headers['www-authenticate'] =
      `OAuth "Facebook Platform" "${options.kind ?? 'invalid_request'}" "${options.error}"`;
  }
  Object.assign(headers, {
    'content-type': options.contentType ?? 'application/json; charset=UTF-8',
    vary: 'Origin, Accept-Encoding',
    'access-control-allow-origin': '*',
    'x-app-usage': '{"call_count":0,"total_cputime":0,"total_time":0}',
    ...(options.bucWaba === undefined ? {} : { 'x-business-use-case-usage': idleUsage(options.bucWaba) }),
    'facebook-api-version': options.version,
    'strict-transport-security': 'max-age=15552000; preload',
    pragma: 'no-cache',
    'cache-control':
      options.error === undefined ? 'private, no-cache, no-store, must-revalidate' : 'no-store',
    expires: 'Sat, 01 Jan 2000 00:00:00 GMT',
    'x-fb-request-id': REQUEST_ID,
    'x-fb-trace-id': TRACE_ID,
    'x-fb-rev': '1019131548',
    'x-fb-debug': DEBUG_ID,
  });
  if (options.etag !== undefined) headers.etag = options.etag;
  headers['x-content-type-options'] = 'nosniff';
  return headers;
}

/** The usage header of a counted call while the key's window is far from its limit. */
export function idleUsage(wabaId: string): string {
  return `{"${wabaId}":[{"type":"whatsapp_business_management","call_count":0,"total_cputime":0,"total_time":0,"estimated_time_to_regain_access":0}]}`;
}

/** Response headers without the transport ones the framework adds. */
export function graphHeadersOf(response: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name === 'date' || name === 'connection' || name === 'content-length' || name === 'keep-alive')
      continue;
    out[name] = String(value);
  }
  return out;
}
