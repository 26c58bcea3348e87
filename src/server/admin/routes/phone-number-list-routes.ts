import type { FastifyInstance } from 'fastify';
import { healthStatus } from '../../../domain/health-status.ts';
import type { PhoneNumberRecord, WabaRecord } from '../../../store/records.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';
import { adminNumberView } from './phone-number-routes.ts';

export const MAX_LIST_LIMIT = 10_000;

/** The admin view plus what the dashboard board shows: business, caller-independent health, last change. */
async function boardRow(deps: AdminDeps, number: PhoneNumberRecord, waba: WabaRecord | undefined) {
  const health =
    waba === undefined
      ? null
      : healthStatus({
          phoneNumberId: number.id,
          status: number.status,
          wabaId: waba.id,
          wabaBanned: waba.banned,
          businessId: waba.business_id,
          appId: '',
        });
  const last = (await deps.store.listHistory(number.id))[0];
  return {
    ...adminNumberView(number),
    business_id: waba?.business_id ?? null,
    // The APP entity depends on the caller; the admin view leaves it out.
    health_status:
      health === null
        ? null
        : {
            can_send_message: health.can_send_message,
            entities: health.entities.filter((entity) => entity.entity_type !== 'APP'),
          },
    last_change_at: last?.at ?? null,
  };
}

/** `GET /__admin/phone-numbers` (paged by id) and `GET /__admin/phone-numbers/{id}`: what the dashboard reads. */
export function phoneNumberListRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Querystring: { after?: string; limit?: string } }>('/phone-numbers', async (request, reply) => {
    const limit = request.query.limit === undefined ? 1000 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      return sendAdminError(reply, 400, 'validation_failed', `limit must be 1 to ${MAX_LIST_LIMIT}`);
    }
    const page = await deps.store.scanPhoneNumbers(request.query.after ?? null, limit + 1);
    const wabas = new Map((await deps.store.listWabas()).map((waba) => [waba.id, waba]));
    const shown = page.slice(0, limit);
    const data = [];
    for (const number of shown) data.push(await boardRow(deps, number, wabas.get(number.waba_id)));
    const next = page.length > limit ? shown.at(-1)?.id : undefined;
    return { data, ...(next === undefined ? {} : { next_after: next }) };
  });
  app.get<{ Params: { id: string } }>('/phone-numbers/:id', async (request, reply) => {
    const number = await deps.store.getPhoneNumber(request.params.id);
    if (number === undefined) {
      return sendAdminError(reply, 404, 'not_found', `Unknown phone number ${request.params.id}`);
    }
    return boardRow(deps, number, await deps.store.getWaba(number.waba_id));
  });
}
