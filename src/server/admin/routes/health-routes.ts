import type { FastifyInstance } from 'fastify';
import { SyncedCachedStore } from '../../../store/synced-cached-store.ts';
import type { AdminDeps } from '../admin-deps.ts';

/** How long a health probe may take before its part counts as unavailable. */
const PROBE_TIMEOUT_MS = 2_000;

type PartState = 'ok' | 'unavailable' | 'not_configured';

function withinTimeout(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).then(
    () => clearTimeout(timer),
    (error: unknown) => {
      clearTimeout(timer);
      throw error;
    },
  );
}

/**
 * `GET /__admin/health`: readiness of what is configured. The database gets a real write (a meta row),
 * so a read-only file is reported; Redis, when configured, a PING. 503 names the failing part.
 */
export function healthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/health', async (request, reply) => {
    const probe = async (part: string, work: () => Promise<unknown>): Promise<PartState> => {
      try {
        await withinTimeout(work());
        return 'ok';
      } catch (error) {
        request.log.warn({ err: error, part }, 'health probe failed');
        return 'unavailable';
      }
    };
    const database = await probe('database', () =>
      deps.store.setMeta('health_probe_at', new Date().toISOString()),
    );
    const window = deps.buc.window;
    const redis =
      window.kind !== 'redis' || window.ping === undefined
        ? 'not_configured'
        : await probe('redis', () => (window.ping as () => Promise<void>).call(window));
    const failing = [
      database === 'unavailable' ? 'database' : null,
      redis === 'unavailable' ? 'redis' : null,
    ];
    const failed = failing.filter((part): part is string => part !== null);
    let outbox: { pending: number; oldest_pending_age_s: number | null } | 'unavailable' = 'unavailable';
    try {
      const lag = await deps.store.outboxLag();
      const now = deps.clock.now().getTime();
      outbox = {
        pending: lag.pending,
        oldest_pending_age_s:
          lag.oldest_created_at === null
            ? null
            : Math.max(0, Math.floor((now - Date.parse(lag.oldest_created_at)) / 1000)),
      };
    } catch (error) {
      request.log.warn({ err: error }, 'health: outbox lag unreadable');
    }
    // Rate-limit windows are counted per instance unless Redis holds them (docs/scale-out.md).
    const rate_limits = window.kind === 'redis' ? 'shared' : 'per_instance';
    const store = deps.store;
    const change_notifications =
      store instanceof SyncedCachedStore ? (store.source.connected ? 'listening' : 'lost') : 'not_configured';
    const parts = { database, redis, outbox, rate_limits, change_notifications };
    if (failed.length > 0) return reply.code(503).send({ status: 'unavailable', failing: failed, ...parts });
    return reply.send({ status: 'ok', ...parts });
  });
}
