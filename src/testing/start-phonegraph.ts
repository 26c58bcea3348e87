/**
 * `phonegraph/testing`: a real phonegraph inside the test process, on a free loopback port, with a
 * Graph client and a typed admin client (docs/testing.md).
 */
import { GraphClient, type GraphClientOptions } from '@phonegraph/client';
import type { ScenarioDocument } from '../contract/scenario.ts';
import { ensureCertificateKeys } from '../domain/certificate-keys.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { DEMO_SCENARIO_PATH } from '../domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../domain/scenario/load-scenario-file.ts';
import { validateScenario } from '../domain/scenario/validate-scenario.ts';
import { loadScenario } from '../domain/state-loader.ts';
import { startServer } from '../server/start.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { AdminClient } from './admin-client.ts';

export * from './admin-client.ts';
// The client and its error classes, so a test suite needs this one import.
export * from '@phonegraph/client';

export interface StartPhonegraphOptions {
  /** A scenario file (YAML or JSON) or a scenario document; default the built-in demo scenario. */
  readonly scenario?: string | ScenarioDocument;
  /** SQLite file; default `:memory:` (nothing left behind). */
  readonly db?: string;
  /**
   * With a `db` that already holds a state: keep it (the scenario loads only into an empty database).
   * Default false: the scenario replaces the state, so every start is the same.
   */
  readonly keepState?: boolean;
  /** When set, the admin plane needs `Authorization: Bearer <adminToken>`; `pg.admin` sends it. */
  readonly adminToken?: string;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** The base clock (the admin clock shifts it); default wall time. */
  readonly clock?: Clock;
  /** Base of paging links and QR image URLs; default the request's Host. */
  readonly publicUrl?: string;
  /** Options for `pg.client` beyond the token and base URL (e.g. `version`, `maxRetries`). */
  readonly client?: Partial<GraphClientOptions>;
}

export interface Phonegraph {
  /** `http://127.0.0.1:PORT`: pass it as the base URL of any Graph client. */
  readonly url: string;
  /** The literal access tokens of the scenario, in its order (the demo's: Acme Connect's first). */
  readonly tokens: readonly string[];
  /** A `GraphClient` of this server with the scenario's first token. */
  readonly client: GraphClient;
  /** A typed client of the admin plane (`/__admin`). */
  readonly admin: AdminClient;
  /**
   * Between tests: the start scenario again (`POST /__admin/reset`: state, rate windows, OTPs), no fault
   * rules, and the clock back on wall time (or the `clock` option) — the server as `startPhonegraph` left it.
   */
  reset(): Promise<void>;
  /** A `GraphClient` of this server with another token (default options as `client`). */
  clientFor(token: string, options?: Partial<GraphClientOptions>): GraphClient;
  /** Stops the server and closes its database. */
  close(): Promise<void>;
}

async function startScenario(scenario: StartPhonegraphOptions['scenario']): Promise<ScenarioDocument> {
  if (scenario === undefined) return loadScenarioFile(DEMO_SCENARIO_PATH);
  if (typeof scenario === 'string') return loadScenarioFile(scenario);
  return validateScenario(scenario, 'scenario option');
}

/** Starts phonegraph in this process; `await pg.close()` when done (e.g. in an `after` hook). */
export async function startPhonegraph(options: StartPhonegraphOptions = {}): Promise<Phonegraph> {
  const document = await startScenario(options.scenario);
  const store = new SqliteStore({ path: options.db ?? ':memory:' });
  try {
    await ensureCertificateKeys(store);
    if (options.keepState !== true || (await store.isEmpty()))
      await loadScenario(store, document, options.clock ?? systemClock);
  } catch (error) {
    await store.close();
    throw error;
  }
  const server = await startServer({
    store,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    startScenario: document,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
  });
  const tokens = (document.tokens ?? []).flatMap((token) => (token.value === undefined ? [] : [token.value]));
  const clientFor = (token: string, clientOptions: Partial<GraphClientOptions> = {}): GraphClient =>
    new GraphClient({
      accessToken: token,
      baseUrl: server.url,
      // Tests fail fast: short backoff steps unless asked otherwise.
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 10,
      ...options.client,
      ...clientOptions,
    });
  const admin = new AdminClient({ baseUrl: server.url, adminToken: options.adminToken });
  const first = tokens[0];
  let client: GraphClient | undefined;
  return {
    url: server.url,
    tokens,
    admin,
    get client(): GraphClient {
      if (first === undefined) throw new Error('the scenario has no token with a literal value');
      client ??= clientFor(first);
      return client;
    },
    reset: async () => {
      await admin.reset();
      await admin.faults.clear();
      await admin.clock.real();
    },
    clientFor,
    close: () => server.close(1_000),
  };
}
