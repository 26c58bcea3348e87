import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreOutage } from '../../store/store.ts';
import type { RequestLog } from '../request-log.ts';
import type { AdminAccess } from './admin-access.ts';
import { GraphError } from '../../graph/graph-error.ts';
import type { AdminDeps } from './admin-deps.ts';
import { sendAdminError } from './admin-errors.ts';
import { certKeyRoutes } from './routes/cert-key-routes.ts';
import { clockRoutes } from './routes/clock-routes.ts';
import { faultRoutes } from './routes/fault-routes.ts';
import { rateLimitRoutes } from './routes/rate-limit-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { otpRoutes } from './routes/otp-routes.ts';
import { phoneNumberRoutes } from './routes/phone-number-routes.ts';
import { stateRoutes } from './routes/state-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import { businessProfileRoutes } from './routes/business-profile-routes.ts';
import { wabaRoutes } from './routes/waba-routes.ts';
import { eventsRoutes } from './routes/events-routes.ts';
import { phoneNumberListRoutes } from './routes/phone-number-list-routes.ts';
import { requestRoutes } from './routes/request-routes.ts';
import { qrCodeRoutes } from './routes/qr-code-routes.ts';

export interface AdminPlaneOptions extends AdminDeps {
  /** Who may call (loopback, bearer token or session cookie) and the gate (admin-access.ts). */
  readonly access: AdminAccess;
  readonly log: RequestLog;
}

/** Admin bodies are small JSON documents; a whole scenario fits well inside this. */
export const MAX_ADMIN_BODY_BYTES = 16 * 1_048_576;

/**
 * 413 before the body is read (or as soon as it passes the bound); the answer asks the client to
 * close, and the rest of the upload is drained (bounded) so the client sees the answer, not a reset.
 */
function refuseLargeBody(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const raw = request.raw;
  drainBounded(raw);
  return sendAdminError(
    reply.header('Connection', 'close'),
    413,
    'validation_failed',
    `Request body exceeds ${MAX_ADMIN_BODY_BYTES} bytes`,
  );
}

/** How much of a refused upload is read and dropped before the socket is simply closed. */
const MAX_DRAIN_BYTES = 64 * 1_048_576;

function drainBounded(raw: FastifyRequest['raw']): void {
  let drained = 0;
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

/** What the database said, without a stack or a path: e.g. "attempt to write a readonly database". */
function storeFailureMessage(error: { message?: string; code?: string; cause?: unknown }): string {
  const root = (error.cause ?? error) as { message?: string; code?: string };
  const code = typeof root.code === 'string' ? ` (${root.code})` : '';
  return `The database is unavailable: ${root.message ?? 'unknown failure'}${code}`;
}

/** Every admin route module; each registers its routes under `/__admin`. */
const ROUTE_MODULES: readonly ((app: FastifyInstance, deps: AdminDeps) => void)[] = [
  certKeyRoutes,
  clockRoutes,
  rateLimitRoutes,
  faultRoutes,
  stateRoutes,
  phoneNumberRoutes,
  businessProfileRoutes,
  qrCodeRoutes,
  wabaRoutes,
  otpRoutes,
  webhookRoutes,
  healthRoutes,
  phoneNumberListRoutes,
  requestRoutes,
  eventsRoutes,
];

/** `/__admin/…`: the control plane (control-plane.md §3). */
export async function adminPlane(app: FastifyInstance, options: AdminPlaneOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    // A refused caller sees the same 404 as an unknown path, so the admin plane does not reveal itself.
    const verdict = await options.access.verdict(request);
    if (verdict === 'hide') return sendAdminError(reply, 404, 'not_found', 'Not found');
    if (verdict === 'media_type') {
      return sendAdminError(
        reply,
        415,
        'validation_failed',
        'Admin requests with a body must send Content-Type: application/json',
      );
    }
    // Refused before reading: the connection closes once the answer is out (the rest is not read).
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > MAX_ADMIN_BODY_BYTES) return refuseLargeBody(request, reply);
    return undefined;
  });
  if (options.log.enabled) {
    app.addHook('onResponse', async (request, reply) => {
      options.log.write({
        plane: 'admin',
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        startedAt: performance.now() - reply.elapsedTime,
      });
    });
  }
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= MAX_ADMIN_BODY_BYTES;
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    // The shared JSON parser reports unparsable bodies as a Graph error; here they are plain 400s.
    if (error instanceof GraphError)
      return sendAdminError(reply, 400, 'validation_failed', 'Request body is not valid JSON');
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuseLargeBody(request, reply);
    if (isStoreOutage(error)) {
      request.log.error({ err: error }, 'admin request failed: store unavailable');
      return sendAdminError(reply, 503, 'unavailable', storeFailureMessage(error));
    }
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'admin request failed');
      return sendAdminError(reply, 500, 'internal_error', 'Internal error');
    }
    return sendAdminError(reply, status, 'validation_failed', error.message ?? 'Bad request');
  });
  const deps: AdminDeps = {
    store: options.store,
    clock: options.clock,
    buc: options.buc,
    faults: options.faults,
    dispatcher: options.dispatcher,
    startScenario: options.startScenario,
    journal: options.journal,
  };
  for (const register of ROUTE_MODULES) register(app, deps);
  // A catch-all inside the prefix: without it the Graph wildcard route would answer unknown admin paths.
  app.all('/', async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
  app.all('/*', async (_request, reply) => sendAdminError(reply, 404, 'not_found', 'Not found'));
}
