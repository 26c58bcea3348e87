// What `phonegraph serve` does once its flags are parsed; serve.ts loads it only when serve runs.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ScenarioDocument } from '../../contract/scenario.ts';
import { ensureCertificateKeys } from '../../domain/certificate-keys.ts';
import { systemClock } from '../../domain/clock.ts';
import { parseDuration } from '../../domain/duration.ts';
import { DEMO_SCENARIO_PATH } from '../../domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../../domain/scenario/load-scenario-file.ts';
import { NotStreamable } from '../../domain/scenario/scenario-json-stream.ts';
import { streamLoadScenarioFile } from '../../domain/scenario/stream-load-scenario.ts';
import { loadScenario, type StartScenario } from '../../domain/state-loader.ts';
import { summarizeState } from '../../domain/state-summary.ts';
import { tokenDigest } from '../../graph/access-token.ts';
import { RedisWindow } from '../../limits/redis-window.ts';
import { caDirFor } from '../../server/intercept-proxy.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { StoreOpenError, type Store } from '../../store/store.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { openPostgresStore, redactedUrl } from '../postgres-connection.ts';
import { withEnv, type FlagValues } from '../flags.ts';
import { LOG_LEVELS } from './serve.ts';
import type { CommandIo } from '../command-io.ts';
import { BANNER_LIMIT, stateBanner } from '../state-banner.ts';
import { LoadProgressReporter } from '../load-progress.ts';
import { DEFAULT_CACHE_MB } from '../../store/cache-budget.ts';

/** 64 GiB: more than any state phonegraph holds. */
const MAX_CACHE_MB = 65_536;

/** The serve flags and their types; each also reads `PHONEGRAPH_<FLAG>`. */
const SERVE_FLAGS = {
  host: 'string',
  port: 'string',
  db: 'string',
  scenario: 'string',
  reset: 'boolean',
  'admin-token': 'string',
  postgres: 'string',
  redis: 'string',
  'public-url': 'string',
  'log-level': 'string',
  'webhook-retry-window': 'string',
  intercept: 'string',
  'journal-size': 'string',
  'cache-mb': 'string',
} as const;

export type ServeFlagName = keyof typeof SERVE_FLAGS;

interface ServeSettings {
  readonly host: string;
  readonly port: number;
  readonly db: string;
  /** A PostgreSQL URL: the shared store instead of the SQLite file `db`. */
  readonly postgres: string | undefined;
  readonly scenario: string | undefined;
  readonly reset: boolean;
  readonly adminToken: string | undefined;
  readonly redis: string | undefined;
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  readonly webhookRetryWindowMs: number | undefined;
  readonly interceptPort: number | undefined;
  readonly journalSize: number | undefined;
  /** `--cache-mb` in bytes. */
  readonly cacheBytes: number;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function settingsFrom(flags: FlagValues, env: NodeJS.ProcessEnv): ServeSettings {
  const values = withEnv(flags, SERVE_FLAGS, env);
  const portText = str(values.port) ?? '8484';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535)
    throw new CliError(`--port must be 0-65535, got ${portText}`, EXIT.usage);
  const logLevel = str(values['log-level']) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`, EXIT.usage);
  const windowText = str(values['webhook-retry-window']);
  const webhookRetryWindowMs = windowText === undefined ? undefined : parseDuration(windowText);
  if (windowText !== undefined && (webhookRetryWindowMs === undefined || webhookRetryWindowMs <= 0)) {
    throw new CliError(
      `--webhook-retry-window must be a duration like 24h or 90m, got ${windowText}`,
      EXIT.usage,
    );
  }
  const interceptText = str(values.intercept);
  if (interceptText !== undefined && (!/^\d+$/.test(interceptText) || Number(interceptText) > 65_535))
    throw new CliError(`--intercept must be a port 0-65535, got ${interceptText}`, EXIT.usage);
  const journalText = str(values['journal-size']);
  const journalSize = journalText === undefined ? undefined : Number(journalText);
  if (journalText !== undefined && (!/^\d+$/.test(journalText) || (journalSize as number) > 1_000_000))
    throw new CliError(`--journal-size must be 0-1000000, got ${journalText}`, EXIT.usage);
  const cacheText = str(values['cache-mb']) ?? String(DEFAULT_CACHE_MB);
  const cacheMb = Number(cacheText);
  if (!/^\d+$/.test(cacheText) || cacheMb < 1 || cacheMb > MAX_CACHE_MB)
    throw new CliError(`--cache-mb must be 1-${MAX_CACHE_MB}, got ${cacheText}`, EXIT.usage);
  return {
    cacheBytes: cacheMb * 1_048_576,
    interceptPort: interceptText === undefined ? undefined : Number(interceptText),
    webhookRetryWindowMs,
    journalSize,
    host: str(values.host) ?? '127.0.0.1',
    port,
    db: str(values.db) ?? './phonegraph.db',
    postgres: str(values.postgres),
    scenario: str(values.scenario),
    reset: values.reset === true,
    adminToken: str(values['admin-token']),
    redis: str(values.redis),
    publicUrl: str(values['public-url']),
    logLevel,
  };
}

/** The store as messages name it: the SQLite path, or the PostgreSQL URL without its password. */
function storeName(settings: ServeSettings): string {
  return settings.postgres === undefined ? settings.db : redactedUrl(settings.postgres);
}

/** SQLite by default; with `--postgres`, the shared PostgreSQL store (migrated on open). */
async function openStore(settings: ServeSettings): Promise<Store> {
  if (settings.postgres === undefined) return new SqliteStore({ path: settings.db });
  return openPostgresStore(settings.postgres);
}

/** Rate-limit windows in Redis, shared by every instance pointed at it; refused early if unreachable. */
async function connectRedis(url: string): Promise<RedisWindow> {
  let window: RedisWindow;
  try {
    window = new RedisWindow(url);
  } catch (error) {
    throw new CliError(`--redis ${url}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    await window.ping();
    return window;
  } catch (error) {
    await window.close();
    throw new CliError(`cannot reach Redis at ${url}: ${(error as Error).message}`, EXIT.network);
  }
}

/**
 * JSON scenario files from this size on load by streaming (docs/scenarios.md "Large scenarios"); smaller
 * ones load as one document, with the same rows. `PHONEGRAPH_STREAM_FROM_BYTES` moves the line.
 */
const STREAM_FROM_BYTES = 8 * 1024 * 1024;

async function streams(file: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (extname(file).toLowerCase() !== '.json') return false;
  const given = Number(env['PHONEGRAPH_STREAM_FROM_BYTES']);
  const threshold = Number.isFinite(given) && given >= 0 ? given : STREAM_FROM_BYTES;
  try {
    return (await stat(file)).size >= threshold;
  } catch {
    return false; // the whole-document path names the file in its error
  }
}

interface PreparedState {
  /** What `POST /__admin/reset` without a body loads. */
  readonly start: StartScenario;
  /** The start scenario as far as the banner needs it (its apps and tokens). */
  readonly outline: ScenarioDocument;
}

/**
 * A large JSON scenario loaded in one streaming pass, with a progress bar on a terminal and a summary
 * line otherwise; undefined when the file needs the whole-document path (nothing was replaced then).
 */
async function streamScenario(store: Store, file: string, io: CommandIo): Promise<PreparedState | undefined> {
  const stderr = process.stderr;
  const reporter = new LoadProgressReporter(
    { isTTY: stderr.isTTY === true, columns: stderr.columns ?? 80, write: (text) => io.stderr(text) },
    file,
  );
  try {
    const loaded = await streamLoadScenarioFile(store, file, systemClock, {
      onProgress: (progress) => reporter.update(progress),
    });
    reporter.finish(loaded.numbers);
    return { start: () => loadScenarioFile(file), outline: loaded.outline };
  } catch (error) {
    if (error instanceof NotStreamable) return undefined;
    throw error;
  }
}

/**
 * `--scenario` loads into an empty database or replaces the state with `--reset`; never silently.
 * Answers the start scenario, which `POST /__admin/reset` without a body loads again.
 */
async function prepareState(store: Store, settings: ServeSettings, io: CommandIo): Promise<PreparedState> {
  await ensureCertificateKeys(store);
  const empty = await store.isEmpty();
  const refuse = (): never => {
    throw new CliError(
      `database ${storeName(settings)} is not empty; pass --reset to replace its state with ${settings.scenario}`,
      EXIT.usage,
    );
  };
  if (settings.scenario !== undefined && (await streams(settings.scenario, io.env))) {
    if (!empty && !settings.reset) refuse();
    const streamed = await streamScenario(store, settings.scenario, io);
    if (streamed !== undefined) return streamed;
  }
  const start = await loadScenarioFile(settings.scenario ?? DEMO_SCENARIO_PATH);
  if (settings.scenario !== undefined) {
    if (!empty && !settings.reset) refuse();
    await loadScenario(store, start, systemClock);
  } else if (empty || settings.reset) {
    await loadScenario(store, start, systemClock);
  }
  return { start, outline: start };
}

/** The demo's literal tokens, when they are in this database, and a curl that works with the first. */
async function demoHints(store: Store, url: string): Promise<string[]> {
  const demo: ScenarioDocument = await loadScenarioFile(DEMO_SCENARIO_PATH);
  const lines: string[] = [];
  for (const token of demo.tokens ?? []) {
    if (token.value === undefined || (await store.getTokenByDigest(tokenDigest(token.value))) === undefined)
      continue;
    const app = demo.apps?.find((candidate) => candidate.id === token.app);
    lines.push(`demo token (${app?.name ?? token.app}): ${token.value}`);
  }
  const first = lines.length > 0 ? demo.tokens?.find((token) => token.value !== undefined)?.value : undefined;
  const number = demo.businesses?.[0]?.wabas?.[0]?.phone_numbers?.[0]?.id;
  if (first !== undefined && number !== undefined) {
    lines.push(
      `try: curl -gs "${url}/v21.0/${number}?fields=status,quality_score{score}&access_token=${first}"`,
    );
  }
  return lines;
}

/**
 * The lines after the first: the demo's tokens and curl when they are in the database, else what the
 * database holds (token values only where the start scenario gave them) and a curl on a readable number.
 */
async function startHints(server: RunningServer, startScenario: ScenarioDocument): Promise<string[]> {
  const demo = await demoHints(server.app.store, server.url);
  if (demo.length > 0) return demo;
  const known = new Map<string, string>();
  for (const token of startScenario.tokens ?? [])
    if (token.value !== undefined) known.set(tokenDigest(token.value), token.value);
  const summary = await summarizeState(server.app.store, known, server.app.clock.now(), BANNER_LIMIT);
  return stateBanner(summary, server.url);
}

export async function serve(flags: FlagValues, io: CommandIo): Promise<number> {
  const settings = settingsFrom(flags, io.env);
  const bucWindow = settings.redis === undefined ? undefined : await connectRedis(settings.redis);
  let store: Store;
  try {
    store = await openStore(settings);
  } catch (error) {
    await bucWindow?.close();
    // A database that cannot be opened for writing: the server cannot start (docs/cli.md, exit 1).
    if (error instanceof StoreOpenError) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
  let prepared: PreparedState;
  try {
    prepared = await prepareState(store, settings, io);
  } catch (error) {
    await store.close();
    await bucWindow?.close();
    throw error;
  }
  if (settings.postgres !== undefined && settings.redis === undefined) {
    // Shared state, private limits: each instance would admit the full hourly budget (docs/scale-out.md).
    io.stderr(
      'warning: --postgres without --redis: rate limits are counted per instance, not across instances ' +
        '(pass --redis to share them)\n',
    );
  }
  const logger = createLogger({ level: settings.logLevel, pretty: process.stderr.isTTY === true });
  const server = await startServer({
    store,
    host: settings.host,
    port: settings.port,
    logger,
    startScenario: prepared.start,
    ...(settings.webhookRetryWindowMs === undefined
      ? {}
      : { webhooks: { retryWindowMs: settings.webhookRetryWindowMs } }),
    ...(settings.adminToken === undefined ? {} : { adminToken: settings.adminToken }),
    ...(bucWindow === undefined ? {} : { bucWindow }),
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
    ...(settings.interceptPort === undefined
      ? {}
      : { intercept: { port: settings.interceptPort, host: '127.0.0.1', caDir: caDirFor(settings.db) } }),
    ...(settings.journalSize === undefined ? {} : { journalSize: settings.journalSize }),
    cacheBytes: settings.cacheBytes,
  });
  // Handlers go in before the first line is printed: scripts may signal as soon as they have read it.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      server.close().then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(EXIT.failed);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Hints are read before printing so the lines go out together; a shutdown racing them only loses hints.
  const hints = await startHints(server, prepared.outline).catch(() => []);
  const intercept = server.intercept;
  const interceptLines =
    intercept === undefined
      ? []
      : [`HTTPS_PROXY=${intercept.proxyUrl} NODE_EXTRA_CA_CERTS=${intercept.caPath}`];
  io.stdout(
    [`phonegraph listening on ${server.url}`, ...interceptLines, ...hints]
      .map((line) => `${line}\n`)
      .join(''),
  );
  return stopped;
}
