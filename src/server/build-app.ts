import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseQueryString } from 'node:querystring';
import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { AdjustableClock, type Clock } from '../domain/clock.ts';
import { GraphError, invalidParameter, unknownError } from '../graph/graph-error.ts';
import { GraphHandler } from '../graph/graph-handler.ts';
import { randomRequestIds, type RequestIds } from '../graph/request-ids.ts';
import { FaultRules } from '../faults/fault-rules.ts';
import { BucAccounting } from '../limits/buc-accounting.ts';
import type { BucWindow } from '../limits/buc-window.ts';
import { MemoryWindow } from '../limits/memory-window.ts';
import { CachedStore } from '../store/cached-store.ts';
import type { StartScenario } from '../domain/state-loader.ts';
import { OutboxDispatcher, type DispatcherSettings } from '../webhooks/outbox-dispatcher.ts';
import type { Store } from '../store/store.ts';
import { DEFAULT_JOURNAL_SIZE, RequestJournal } from '../journal/request-journal.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';
import { adminPlane } from './admin/admin-plane.ts';
import { AdminAccess } from './admin/admin-access.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { parseMultipartFields } from './multipart-body.ts';
import { openApiRoutes } from './routes/openapi-routes.ts';
import { qrImageRoutes } from './routes/qr-image-routes.ts';
import {
  graphRoutes,
  isBodylessGraphRequest,
  isUnroutedGraphRequest,
  sendGraph,
  serveGraph,
  type GraphRouteDeps,
} from './routes/graph-routes.ts';
import { answerClientError } from './client-error.ts';
import { redactUrl, RequestLog } from './request-log.ts';
import { sendAdminError } from './admin/admin-errors.ts';

export const MAX_BODY_BYTES = 1_048_576;

export interface BuildAppOptions {
  readonly store: Store;
  /** The base time; the admin plane shifts it (`POST /__admin/clock`). Defaults to wall time. */
  readonly clock?: Clock;
  readonly ids?: RequestIds;
  /** A pino logger; defaults to a silent one (the CLI passes one writing to stderr). */
  readonly logger?: FastifyBaseLogger;
  readonly adminToken?: string;
  /** Where BUC windows live: process memory (default) or a `RedisWindow` shared by instances. */
  readonly bucWindow?: BucWindow;
  /** `--public-url`: base of paging links and QR image URLs; else `http://{Host}`. */
  readonly publicUrl?: string;
  /** What `POST /__admin/reset` loads without a body (the scenario the server started with). */
  readonly startScenario?: StartScenario;
  /** Webhook retry and timeout settings; the dispatcher runs only under `startServer`. */
  readonly webhooks?: Partial<DispatcherSettings>;
  /** `--journal-size`: how many recent Graph requests `GET /__admin/requests` keeps (default 1000). */
  readonly journalSize?: number;
  /** `--cache-mb` in bytes: the budget of the read caches and rendered bodies (default 16 MiB). */
  readonly cacheBytes?: number;
}

export interface PhonegraphApp {
  readonly fastify: FastifyInstance;
  readonly store: CachedStore;
  readonly clock: AdjustableClock;
  readonly buc: BucAccounting;
  readonly faults: FaultRules;
  /** Built here, started by `startServer`: an app that never listens sends no webhooks. */
  readonly dispatcher: OutboxDispatcher;
  readonly journal: RequestJournal;
}

/** Graph bodies may be unparsable; the failure is reported in Graph's order, as the first check. */
function bodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    if (nestsDeeperThan(text))
      return done(invalidParameter('bodyTooDeep', { depth: MAX_JSON_DEPTH }), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(invalidParameter('bodyNotJson'), undefined);
    }
    done(null, parsed);
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, parseQueryString(String(body))),
  );
  // graph-api.md §6: no Content-Type or text/plain is read as a form; multipart fields are form fields.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) =>
    done(null, parseQueryString(String(body))),
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    parseMultipartFields(request.headers, body as Buffer).then(
      (fields) => done(null, fields),
      () => done(invalidParameter('bodyNotMultipart'), undefined),
    );
  });
  // Other bodies carry no Graph parameters; they are read (and bounded) but ignored.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) =>
    done(null, request.headers['content-type'] === undefined ? parseQueryString(String(body)) : {}),
  );
}

/** A body read that failed because the client went away (reset, abort): not a server failure. */
function isClientGone(raw: IncomingMessage, error: { code?: string }): boolean {
  return (
    error.code === 'ECONNRESET' || error.code === 'ECONNABORTED' || (raw.destroyed && raw.readableAborted)
  );
}

function asGraphInputError(error: { code?: string }): GraphError | undefined {
  if (error instanceof GraphError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return invalidParameter('bodyTooLarge');
  return undefined;
}

/** Builds the whole server without listening (tests use `inject`; start.ts listens). */
export function buildApp(options: BuildAppOptions): PhonegraphApp {
  const store =
    options.store instanceof CachedStore
      ? options.store
      : new CachedStore(options.store, {
          ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
        });
  const logger = options.logger ?? pino({ level: 'silent' });
  const base = options.clock;
  const clock =
    base instanceof AdjustableClock
      ? base
      : new AdjustableClock(base === undefined ? Date.now : () => base.now().getTime());
  const buc = new BucAccounting(options.bucWindow ?? new MemoryWindow(), store, logger);
  const faults = new FaultRules(store);
  const journal = new RequestJournal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
  const dispatcher = new OutboxDispatcher({
    store,
    clock,
    logger,
    ...(options.webhooks === undefined ? {} : { settings: options.webhooks }),
  });
  const graph = new GraphHandler({
    store,
    clock,
    ids: options.ids ?? randomRequestIds(),
    logger,
    buc,
    faults,
    dispatcher,
    cacheBudget: store.budget,
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
  });
  const log = new RequestLog(logger);
  const routeDeps: GraphRouteDeps = { graph, log, journal };
  const fastify = Fastify({
    loggerInstance: logger,
    // Per-request log lines cost more than the read path itself; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 65_536 },
    // Node's default 16 KiB header limit would answer 431 before Graph's own query-size error.
    serverFactory: (handler): Server => {
      const server = createServer({ maxHeaderSize: 65_536 }, (req: IncomingMessage, res: ServerResponse) => {
        if (isBodylessGraphRequest(req) || isUnroutedGraphRequest(req)) {
          try {
            serveGraph(routeDeps, req, res, undefined)?.catch(() => res.destroy());
          } catch {
            res.destroy();
          }
        } else handler(req, res);
      });
      server.on('clientError', (error: Error, socket: Duplex) => answerClientError(graph, error, socket));
      // Fastify's own default (Node's 5 s races clients reusing a connection just as it is closed).
      server.keepAliveTimeout = 72_000;
      return server;
    },
    // Request logging is off, so a per-request child logger would be pure cost.
    childLoggerFactory: (logger) => logger,
    frameworkErrors: (error, request, reply) => {
      void sendGraph(routeDeps, request, reply, asGraphInputError(error as { code?: string }));
    },
  });
  bodyParsers(fastify);
  // Every answer says what it is: no content sniffing (the Graph writer adds it to Graph's headers).
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
  fastify.setNotFoundHandler(async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
  fastify.setErrorHandler(async (error, request, reply) => {
    if (isClientGone(request.raw, error as { code?: string })) {
      // The client left mid-request: nothing to answer, nothing wrong with the server.
      request.log.debug({ url: redactUrl(request.url) }, 'client disconnected');
      reply.hijack();
      request.raw.destroy();
      return;
    }
    // Anything Fastify itself raises that is not a known input failure is a bug: code 1, logged.
    await sendGraph(
      routeDeps,
      request,
      reply,
      asGraphInputError(error as { code?: string }) ?? unknownError(error),
    );
  });
  void fastify.register(graphRoutes, routeDeps);
  void fastify.register(qrImageRoutes, { store });
  void fastify.register(
    openApiRoutes,
    options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl },
  );
  // One access rule for the admin plane and the dashboard (peer, token or session cookie, Host, Origin).
  const access = new AdminAccess({ store, adminToken: options.adminToken, publicUrl: options.publicUrl });
  void fastify.register(dashboardRoutes, { access });
  void fastify.register(adminPlane, {
    prefix: '/__admin',
    store,
    clock,
    buc,
    faults,
    dispatcher,
    startScenario: options.startScenario,
    access,
    log,
    journal,
  });
  fastify.addHook('onClose', async () => buc.window.close());
  return { fastify, store, clock, buc, faults, dispatcher, journal };
}
