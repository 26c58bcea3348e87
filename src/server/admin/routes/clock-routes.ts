import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../../domain/duration.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

interface ClockBody {
  advance?: unknown;
  set?: unknown;
  real?: unknown;
}

/** `GET`/`POST /__admin/clock`: the server clock behind rate windows, token expiry, OTPs and retries. */
export function clockRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const state = () => ({ now: deps.clock.now().toISOString(), offset_ms: deps.clock.offsetMs });
  app.get('/clock', async () => state());
  app.post('/clock', async (request, reply) => {
    const body = (request.body ?? {}) as ClockBody;
    const given = ['advance', 'set', 'real'].filter((key) => body[key as keyof ClockBody] !== undefined);
    if (given.length !== 1) {
      return sendAdminError(reply, 400, 'validation_failed', 'give exactly one of advance, set, real');
    }
    if (body.advance !== undefined) {
      const ms = typeof body.advance === 'string' ? parseDuration(body.advance) : undefined;
      if (ms === undefined) {
        return sendAdminError(
          reply,
          400,
          'validation_failed',
          'advance must be a duration like 90s, 2h or 1h30m',
        );
      }
      await deps.clock.advance(deps.store, ms);
    } else if (body.set !== undefined) {
      const at = typeof body.set === 'string' ? new Date(body.set) : new Date(Number.NaN);
      if (Number.isNaN(at.getTime())) {
        return sendAdminError(reply, 400, 'validation_failed', 'set must be an ISO-8601 time');
      }
      await deps.clock.set(deps.store, at);
    } else {
      if (body.real !== true) return sendAdminError(reply, 400, 'validation_failed', 'real must be true');
      await deps.clock.real(deps.store);
    }
    // Retries due on the moved clock go out now.
    deps.dispatcher.notify();
    deps.store.changes.publish({ kind: 'clock', id: null });
    return state();
  });
}
