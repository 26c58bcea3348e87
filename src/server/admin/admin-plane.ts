import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

export interface AdminPlaneOptions extends AdminDeps {
  /** When set, `Authorization: Bearer <token>` is required from anywhere; else loopback only. */
  readonly adminToken: string | undefined;
}

/** Admin bodies are small JSON documents; a whole scenario fits well inside this. */
export const MAX_ADMIN_BODY_BYTES = 16 * 1_048_576;

/** Every admin route module; each registers its routes under `/__admin`. */
const ROUTE_MODULES: readonly ((app: FastifyInstance, deps: AdminDeps) => void)[] = [
  certKeyRoutes,
  clockRoutes,
  rateLimitRoutes,
  faultRoutes,
  stateRoutes,
  phoneNumberRoutes,
  businessProfileRoutes,
  wabaRoutes,
  otpRoutes,
  webhookRoutes,
  healthRoutes,
  phoneNumberListRoutes,
  requestRoutes,
  eventsRoutes,
];

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Judged on the socket's peer address, never on X-Forwarded-For. A refused caller sees the same 404
 * as an unknown path, so the admin plane does not reveal itself.
 */
export function admitted(request: FastifyRequest, adminToken: string | undefined): boolean {
  if (adminToken !== undefined) return bearerMatches(request.headers.authorization, adminToken);
  return isLoopback(request.socket.remoteAddress);
}

/** `/__admin/…`: the control plane (control-plane.md §3). */
export async function adminPlane(app: FastifyInstance, options: AdminPlaneOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (!admitted(request, options.adminToken)) return sendAdminError(reply, 404, 'not_found', 'Not found');
    return undefined;
  });
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= MAX_ADMIN_BODY_BYTES;
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    // The shared JSON parser reports unparsable bodies as a Graph error; here they are plain 400s.
    if (error instanceof GraphError)
      return sendAdminError(reply, 400, 'validation_failed', 'Request body is not valid JSON');
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendAdminError(
        reply,
        413,
        'validation_failed',
        `Request body exceeds ${MAX_ADMIN_BODY_BYTES} bytes`,
      );
    }
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'admin request failed');
    const message = status === 500 ? 'Internal error' : (error.message ?? 'Bad request');
    return sendAdminError(reply, status, 'validation_failed', message);
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
