import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

interface RequestsQuery {
  method?: string;
  path?: string;
  status?: string;
  code?: string;
  limit?: string;
}

/** `GET /__admin/requests`: the request journal, newest first (control-plane.md §3). */
export function requestRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Querystring: RequestsQuery }>('/requests', async (request, reply) => {
    const query = request.query;
    const size = Math.max(deps.journal.size, 1);
    const limit = query.limit === undefined ? Math.min(100, size) : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      return sendAdminError(reply, 400, 'validation_failed', 'limit must be a whole number ≥ 1');
    }
    if (query.status !== undefined && !/^(\d{3}|[1-5]xx)$/i.test(query.status)) {
      return sendAdminError(reply, 400, 'validation_failed', 'status must be like 200 or 4xx');
    }
    const code = query.code === undefined ? undefined : Number(query.code);
    if (code !== undefined && !Number.isInteger(code)) {
      return sendAdminError(reply, 400, 'validation_failed', 'code must be a whole number');
    }
    const data = await deps.journal.list(
      {
        limit: Math.min(limit, size),
        ...(query.method === undefined || query.method === '' ? {} : { method: query.method }),
        ...(query.path === undefined || query.path === '' ? {} : { path: query.path }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(code === undefined ? {} : { code }),
      },
      async (digest) => (await deps.store.getTokenByDigest(digest))?.app_id,
    );
    return reply.type('application/json; charset=utf-8').send({ data });
  });
  app.get<{ Params: { id: string } }>('/requests/:id', async (request, reply) => {
    const id = Number(request.params.id);
    const [entry] = /^\d{1,15}$/.test(request.params.id)
      ? await deps.journal.list(
          { id, limit: 1 },
          async (digest) => (await deps.store.getTokenByDigest(digest))?.app_id,
        )
      : [];
    if (entry === undefined) {
      return sendAdminError(
        reply,
        404,
        'not_found',
        `No journal entry ${request.params.id} (it may have left the ring)`,
      );
    }
    return reply.type('application/json; charset=utf-8').send(entry);
  });
}
