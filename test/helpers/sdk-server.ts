import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { freshTestStore } from './test-store.ts';
import { GraphClient, type GraphClientOptions } from '../../src/client/index.ts';
import { GRAPH_SCENARIO, loadScenarioText } from './graph-app.ts';

/** A real phonegraph on a free port of 127.0.0.1, loaded with the Graph fixture scenario. */
export async function startGraphServer(): Promise<RunningServer> {
  const store = await freshTestStore();
  await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
  return startServer({ store, host: '127.0.0.1', port: 0 });
}

/** A client of that server over its socket, with Node's own fetch and test-sized backoff steps. */
export function clientFor(server: RunningServer, options: Partial<GraphClientOptions> = {}): GraphClient {
  return new GraphClient({
    accessToken: 'T-ALL',
    baseUrl: server.url,
    fetch: globalThis.fetch,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options,
  });
}

/** Calls the admin plane (`/__admin/...`) of the server; throws on a non-2xx answer. */
export async function admin(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${server.url}/__admin/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
