import type { FastifyInstance } from 'fastify';
import {
  ACCOUNT_REVIEW_STATUSES,
  BUSINESS_VERIFICATION_STATUSES,
  type AccountReviewStatus,
  type BusinessVerificationStatus,
} from '../../../contract/waba.ts';
import { commitWabaChange, planWabaReview } from '../../../domain/waba-review.ts';
import { adminWabaView } from '../../../domain/waba-view.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

interface WabaParams {
  id: string;
}

const REVIEW_KEYS = ['account_review_status', 'business_verification_status'];

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** `/__admin/wabas/{id}/…`: the WABA's review decisions and their history (control-plane.md §3). */
export function wabaRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.post<{ Params: WabaParams }>('/wabas/:id/review', async (request, reply) => {
    const raw = request.body;
    const body =
      raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const unknown = Object.keys(body).find((key) => !REVIEW_KEYS.includes(key));
    if (unknown !== undefined)
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `unknown field ${unknown}; give ${REVIEW_KEYS.join(' and/or ')}`,
      );
    const { account_review_status: review, business_verification_status: verification } = body;
    if (review === undefined && verification === undefined)
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        'give account_review_status and/or business_verification_status',
      );
    if (review !== undefined && !oneOf<AccountReviewStatus>(ACCOUNT_REVIEW_STATUSES, review))
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `account_review_status must be one of ${ACCOUNT_REVIEW_STATUSES.join(', ')}`,
      );
    if (
      verification !== undefined &&
      !oneOf<BusinessVerificationStatus>(BUSINESS_VERIFICATION_STATUSES, verification)
    )
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `business_verification_status must be one of ${BUSINESS_VERIFICATION_STATUSES.join(', ')}`,
      );
    const waba = await deps.store.getWaba(request.params.id);
    if (waba === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown WABA ${request.params.id}`);
    const at = deps.clock.now();
    const planned = planWabaReview(
      waba,
      {
        ...(review === undefined ? {} : { account_review_status: review }),
        ...(verification === undefined ? {} : { business_verification_status: verification }),
      },
      { actor: 'admin', at },
    );
    if (planned === null) return reply.send(adminWabaView(waba));
    await commitWabaChange(deps.store, planned, at);
    deps.dispatcher.notify();
    return reply.send(adminWabaView(planned.waba));
  });

  app.get<{ Params: WabaParams }>('/wabas/:id/history', async (request, reply) => {
    const waba = await deps.store.getWaba(request.params.id);
    if (waba === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown WABA ${request.params.id}`);
    const history = await deps.store.listWabaHistory(waba.id);
    return reply.send({
      data: history.map((entry) => ({
        at: entry.at,
        actor: entry.actor,
        change: entry.change,
        from: entry.from,
        to: entry.to,
        reason: entry.reason,
      })),
    });
  });
}
