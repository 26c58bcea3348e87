import type { AddressInfo } from 'node:net';
import { scenarioSeed } from '../domain/state-loader.ts';
import type { Store } from '../store/store.ts';
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

async function closeWithin(app: PhonegraphApp, store: Store, graceMs: number): Promise<void> {
  const force = setTimeout(() => app.fastify.server.closeAllConnections(), graceMs);
  force.unref();
  try {
    await app.fastify.close();
  } finally {
    clearTimeout(force);
    // Deliveries in flight are abandoned and stay pending in the outbox: they go out after a restart.
    await app.dispatcher.stop();
    await store.close();
  }
}

/** The only place that listens; everything else builds the app in-process. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const app = buildApp(options);
  await app.clock.load(app.store);
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
