import type { AddressInfo } from 'node:net';
import { scenarioSeed } from '../domain/state-loader.ts';
import { CachedStore } from '../store/cached-store.ts';
import type { InstanceChangeSource, Store } from '../store/store.ts';
import { SyncedCachedStore } from '../store/synced-cached-store.ts';
import { buildApp, type BuildAppOptions, type PhonegraphApp } from './build-app.ts';
import { startInterceptProxy, type InterceptOptions, type RunningIntercept } from './intercept-proxy.ts';

export interface StartOptions extends BuildAppOptions {
  readonly host: string;
  readonly port: number;
  /** `--intercept`: also listen as an HTTPS proxy that serves graph.facebook.com (intercept-proxy.ts). */
  readonly intercept?: InterceptOptions;
}

export interface RunningServer {
  readonly app: PhonegraphApp;
  /** `http://HOST:PORT` with HOST as given (IPv6 in brackets) and the port actually bound. */
  readonly url: string;
  /** Set when started with `intercept`. */
  readonly intercept?: RunningIntercept;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the store. */
  close(graceMs?: number): Promise<void>;
}

export function formatListenUrl(host: string, port: number): string {
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${shownHost}:${port}`;
}

/**
 * On a store shared by instances: other instances' changes drop this one's stale cache entries (done by
 * `SyncedCachedStore`), reach the change stream (the dashboard's SSE), reload the clock offset and the
 * fault rules, and wake the webhook dispatcher (their outbox events may be ours to send).
 */
function followOtherInstances(app: PhonegraphApp, source: InstanceChangeSource): void {
  const reload = (what: string, work: Promise<void>): void => {
    work.catch((error: unknown) => app.fastify.log.warn({ err: error }, `reloading ${what} failed`));
  };
  source.subscribe((notice) => {
    if (notice.kind === 'clock' || notice.kind === 'state')
      reload('the clock offset', app.clock.load(app.store));
    // A reset elsewhere: fault probabilities draw from the new scenario's seed here too.
    if (notice.kind === 'state') {
      reload(
        'the scenario seed',
        scenarioSeed(app.store).then((seed) => app.faults.setSeed(seed)),
      );
    }
    if (notice.kind === 'fault_rule') reload('fault rules', app.faults.load());
    // New outbox events or a moved clock may be ours to send; another instance's delivery results are
    // not (it sends the next event of that number itself).
    if (notice.kind !== 'delivery') app.dispatcher.notify();
  });
  app.store.changes.attach(source);
  source.onConnection((connected) => {
    if (connected) {
      // Notices sent while the channel was down were missed: read what they would have refreshed.
      reload('the clock offset', app.clock.load(app.store));
      reload('fault rules', app.faults.load());
      app.fastify.log.info('change notifications from other instances: listening');
    } else {
      app.fastify.log.warn('change notifications from other instances: connection lost, cache bypassed');
    }
  });
}

async function closeWithin(app: PhonegraphApp, store: Store, graceMs: number): Promise<void> {
  const force = setTimeout(() => app.fastify.server.closeAllConnections(), graceMs);
  force.unref();
  try {
    await app.fastify.close();
  } finally {
    clearTimeout(force);
    // Deliveries in flight are abandoned and stay pending in the outbox: they go out after a restart.
    await app.dispatcher.stop();
    if (store instanceof SyncedCachedStore) await store.source.close();
    await store.close();
  }
}

/** The only place that listens; everything else builds the app in-process. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const source = options.store instanceof CachedStore ? undefined : options.store.instanceChanges?.();
  const app = buildApp(
    source === undefined
      ? options
      : {
          ...options,
          store: new SyncedCachedStore(options.store, source, {
            ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
          }),
        },
  );
  if (source !== undefined) {
    followOtherInstances(app, source);
    await source.start();
  }
  await app.clock.load(app.store);
  await app.faults.load();
  app.faults.setSeed(await scenarioSeed(app.store));
  await app.fastify.listen({ host: options.host, port: options.port });
  app.dispatcher.start();
  const address = app.fastify.server.address() as AddressInfo;
  const intercept =
    options.intercept === undefined
      ? undefined
      : await startInterceptProxy(app.fastify.server, options.intercept);
  return {
    app,
    url: formatListenUrl(options.host, address.port),
    ...(intercept === undefined ? {} : { intercept }),
    close: async (graceMs = 10_000) => {
      await intercept?.close();
      await closeWithin(app, app.store, graceMs);
    },
  };
}
