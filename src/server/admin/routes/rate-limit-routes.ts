import type { FastifyInstance, FastifyReply } from 'fastify';
import { effectiveLimits } from '../../../domain/rate-limit-policy.ts';
import {
  bucKey,
  bucketEdges,
  callCountPercent,
  minutesToRegainAccess,
  splitBucKey,
} from '../../../limits/buc-window.ts';
import type { RateLimitOverride } from '../../../store/records.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

interface RateLimitBody {
  app?: unknown;
  waba?: unknown;
  per_hour?: unknown;
  active_per_hour?: unknown;
  exhaust?: { app?: unknown; waba?: unknown };
  reset?: { app?: unknown; waba?: unknown };
}

/** The timeline's bucket: twelve 5-minute buckets cover the hour's window. */
const TIMELINE_BUCKET_MS = 300_000;

const isId = (value: unknown): value is string => typeof value === 'string' && /^\d{1,20}$/.test(value);
const isLimit = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** `GET`/`POST /__admin/rate-limits` (rate-limits.md § Admin). */
export function rateLimitRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { store, buc, clock } = deps;

  async function usageRow(appId: string, wabaId: string, count: number, oldestMs: number | null) {
    const [appRecord, waba] = await Promise.all([store.getApp(appId), store.getWaba(wabaId)]);
    if (appRecord === undefined || waba === undefined) return undefined;
    const limit = await buc.limitOf(appRecord, waba);
    return {
      app: appId,
      waba: wabaId,
      limit,
      calls: count,
      call_count: callCountPercent(count, limit),
      estimated_time_to_regain_access: minutesToRegainAccess(count, limit, oldestMs, clock.now().getTime()),
    };
  }

  app.get('/rate-limits', async () => {
    const nowMs = clock.now().getTime();
    const rows = [];
    for (const usage of await buc.window.usage(nowMs)) {
      const { app: appId, waba } = splitBucKey(usage.key);
      const row = await usageRow(appId, waba, usage.count, usage.oldestMs);
      if (row !== undefined) rows.push(row);
    }
    rows.sort((a, b) => a.app.localeCompare(b.app) || a.waba.localeCompare(b.waba));
    return { data: rows };
  });

  app.get<{ Querystring: { app?: string; waba?: string } }>(
    '/rate-limits/timeline',
    async (request, reply) => {
      const { app: appId, waba: wabaId } = request.query;
      if (!isId(appId) || !isId(wabaId)) {
        return sendAdminError(reply, 400, 'validation_failed', 'app and waba must be numeric id strings');
      }
      const nowMs = clock.now().getTime();
      const counts = await buc.window.histogram(bucKey(appId, wabaId), nowMs, TIMELINE_BUCKET_MS);
      const edges = bucketEdges(nowMs, TIMELINE_BUCKET_MS);
      return {
        app: appId,
        waba: wabaId,
        bucket_minutes: TIMELINE_BUCKET_MS / 60_000,
        data: counts.map((calls, i) => ({
          until: new Date(i === edges.length - 1 ? nowMs : (edges[i] as number)).toISOString(),
          calls,
        })),
      };
    },
  );

  app.post('/rate-limits', async (request, reply) => {
    const body = (request.body ?? {}) as RateLimitBody;
    if (body.exhaust !== undefined) return fill(body.exhaust, 'exhaust', reply);
    if (body.reset !== undefined) return fill(body.reset, 'reset', reply);
    const appId = body.app;
    const wabaId = body.waba;
    if ((appId !== undefined && !isId(appId)) || (wabaId !== undefined && !isId(wabaId))) {
      return sendAdminError(reply, 400, 'validation_failed', 'app and waba must be numeric id strings');
    }
    if (appId === undefined && wabaId === undefined) {
      return sendAdminError(reply, 400, 'validation_failed', 'give app, waba or both');
    }
    const limits: RateLimitOverride = {};
    for (const name of ['per_hour', 'active_per_hour'] as const) {
      const value = body[name];
      if (value === undefined) continue;
      if (!isLimit(value))
        return sendAdminError(reply, 400, 'validation_failed', `${name} must be a positive integer`);
      limits[name] = value;
    }
    const [appRecord, waba] = await Promise.all([
      appId === undefined ? undefined : store.getApp(appId),
      wabaId === undefined ? undefined : store.getWaba(wabaId),
    ]);
    if (appId !== undefined && appRecord === undefined)
      return sendAdminError(reply, 404, 'not_found', `No app ${appId}`);
    if (wabaId !== undefined && waba === undefined)
      return sendAdminError(reply, 404, 'not_found', `No WABA ${wabaId}`);
    if (Object.keys(limits).length > 0) {
      await store.setRateLimit(
        { ...(appId === undefined ? {} : { app: appId }), ...(wabaId === undefined ? {} : { waba: wabaId }) },
        limits,
      );
    }
    const [freshApp, freshWaba, pair] = await Promise.all([
      appId === undefined ? undefined : store.getApp(appId),
      wabaId === undefined ? undefined : store.getWaba(wabaId),
      appId === undefined || wabaId === undefined ? undefined : store.getPairRateLimit(appId, wabaId),
    ]);
    const effective = effectiveLimits(
      freshApp?.rate_limit ?? null,
      freshWaba?.rate_limit ?? null,
      pair ?? null,
    );
    return { app: appId ?? null, waba: wabaId ?? null, ...effective };
  });

  /** `exhaust` fills the pair's window now; `reset` empties it. Answers the pair's usage after. */
  async function fill(
    target: { app?: unknown; waba?: unknown },
    how: 'exhaust' | 'reset',
    reply: FastifyReply,
  ) {
    if (!isId(target.app) || !isId(target.waba)) {
      return sendAdminError(reply, 400, 'validation_failed', `${how} needs {"app","waba"} id strings`);
    }
    const [appRecord, waba] = await Promise.all([store.getApp(target.app), store.getWaba(target.waba)]);
    if (appRecord === undefined || waba === undefined) {
      return sendAdminError(reply, 404, 'not_found', `No app ${target.app} or WABA ${target.waba}`);
    }
    const nowMs = clock.now().getTime();
    const key = bucKey(appRecord.id, waba.id);
    if (how === 'exhaust') await buc.window.exhaust(key, await buc.limitOf(appRecord, waba), nowMs);
    else await buc.window.forget(key);
    store.changes.publish({ kind: 'rate_limit', id: key, waba_id: waba.id });
    const usage = (await buc.window.usage(nowMs)).find(
      (entry) => entry.key === bucKey(appRecord.id, waba.id),
    );
    return usageRow(appRecord.id, waba.id, usage?.count ?? 0, usage?.oldestMs ?? null);
  }
}
