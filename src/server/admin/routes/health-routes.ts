import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin-deps.ts';

/** `GET /__admin/health`: liveness and readiness: the database, Redis and the outbox lag. */
export function healthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/health', async (request, reply) => {
    try {
      const lag = await deps.store.outboxLag();
      const now = deps.clock.now().getTime();
      return await reply.send({
        status: 'ok',
        database: 'ok',
        redis: 'not_configured',
        outbox: {
          pending: lag.pending,
          oldest_pending_age_s:
            lag.oldest_created_at === null
              ? null
              : Math.max(0, Math.floor((now - Date.parse(lag.oldest_created_at)) / 1000)),
        },
      });
    } catch (error) {
      request.log.error({ err: error }, 'health check failed');
      return reply.code(503).send({ status: 'unavailable', database: 'unavailable' });
    }
  });
}
