import type { FastifyInstance, FastifyReply } from 'fastify';
import { NAME_DECISIONS, type NameDecision } from '../../../contract/lifecycle.ts';
import {
  MESSAGING_LIMIT_TIERS,
  PHONE_NUMBER_STATUSES,
  QUALITY_SCORES,
  type MessagingLimitTier,
  type PhoneNumberStatus,
  type QualityScoreValue,
} from '../../../contract/phone-number.ts';
import {
  certificateIssuer,
  commitChange,
  NameReviewError,
  planNameReview,
  planNewName,
  planQuality,
  planStatusChange,
  type PlannedChange,
} from '../../../domain/lifecycle.ts';
import { PHONE_NUMBER_FIELD_VALUES } from '../../../domain/phone-number-view.ts';
import type { PhoneNumberRecord } from '../../../store/records.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

type Body = Record<string, unknown>;
interface NumberParams {
  id: string;
}

/** Fields that depend on the calling app are left out of the admin view. */
const APP_DEPENDENT_FIELDS = new Set(['health_status', 'webhook_configuration']);

/** The number as it is now: every readable field that does not depend on a caller, plus `waba_id`. */
export function adminNumberView(number: PhoneNumberRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(PHONE_NUMBER_FIELD_VALUES)) {
    if (APP_DEPENDENT_FIELDS.has(field)) continue;
    // The view functions read only the number for these fields.
    const shown = value({ number } as Parameters<typeof value>[0]);
    if (shown !== undefined) view[field] = shown;
  }
  view.requested_verified_name = number.requested_verified_name;
  view.waba_id = number.waba_id;
  return view;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function optionalString(body: Body, key: string): string | null | false {
  const value = body[key];
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : false;
}

function bodyOf(raw: unknown): Body {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Body) : {};
}

/** `/__admin/phone-numbers/{id}/…`: drive a number through its lifecycle (control-plane.md §3). */
export function phoneNumberRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const load = async (id: string, reply: FastifyReply): Promise<PhoneNumberRecord | undefined> => {
    const number = await deps.store.getPhoneNumber(id);
    if (number === undefined) sendAdminError(reply, 404, 'not_found', `Unknown phone number ${id}`);
    return number;
  };
  const apply = async (
    reply: FastifyReply,
    number: PhoneNumberRecord,
    change: PlannedChange | null,
    at: Date,
  ): Promise<FastifyReply> => {
    if (change === null) return reply.send(adminNumberView(number));
    // Rows written as skipped (no subscription) give the dispatcher nothing to do: it is not woken.
    if (await commitChange(deps.store, change, at)) deps.dispatcher.notify();
    return reply.send(adminNumberView(change.number));
  };

  app.post<{ Params: NumberParams }>('/phone-numbers/:id/status', async (request, reply) => {
    const body = bodyOf(request.body);
    if (!oneOf<PhoneNumberStatus>(PHONE_NUMBER_STATUSES, body.status)) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `status must be one of ${PHONE_NUMBER_STATUSES.join(', ')}`,
      );
    }
    const reason = optionalString(body, 'reason');
    if (reason === false) return sendAdminError(reply, 400, 'validation_failed', 'reason must be a string');
    if (body.force !== undefined && typeof body.force !== 'boolean') {
      return sendAdminError(reply, 400, 'validation_failed', 'force must be a boolean');
    }
    const number = await load(request.params.id, reply);
    if (number === undefined) return reply;
    const at = deps.clock.now();
    const planned = planStatusChange(number, body.status, {
      actor: 'admin',
      at,
      reason,
      force: body.force === true,
      via: 'admin',
    });
    if (planned !== null && 'refused' in planned) {
      return sendAdminError(
        reply,
        409,
        'invalid_transition',
        `Cannot change status from ${number.status} to ${body.status}`,
        { allowed: [...planned.allowed] },
      );
    }
    return apply(reply, number, planned, at);
  });

  app.post<{ Params: NumberParams }>('/phone-numbers/:id/name-review', async (request, reply) => {
    const body = bodyOf(request.body);
    if (!oneOf<NameDecision>(NAME_DECISIONS, body.decision)) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `decision must be one of ${NAME_DECISIONS.join(', ')}`,
      );
    }
    const which = body.which ?? 'current';
    if (which !== 'current' && which !== 'new') {
      return sendAdminError(reply, 400, 'validation_failed', 'which must be current or new');
    }
    const rejection = optionalString(body, 'rejection_reason');
    if (rejection === false) {
      return sendAdminError(reply, 400, 'validation_failed', 'rejection_reason must be a string');
    }
    const number = await load(request.params.id, reply);
    if (number === undefined) return reply;
    const at = deps.clock.now();
    try {
      const issue = await certificateIssuer(deps.store, number, at);
      const planned = planNameReview(
        number,
        { decision: body.decision, rejection_reason: rejection, which },
        { actor: 'admin', at },
        issue,
      );
      return await apply(reply, number, planned, at);
    } catch (error) {
      if (error instanceof NameReviewError)
        return sendAdminError(reply, 400, 'validation_failed', error.message);
      throw error;
    }
  });

  app.post<{ Params: NumberParams }>('/phone-numbers/:id/new-name', async (request, reply) => {
    const body = bodyOf(request.body);
    if (typeof body.name !== 'string' || body.name.trim() === '') {
      return sendAdminError(reply, 400, 'validation_failed', 'name must be a non-empty string');
    }
    const number = await load(request.params.id, reply);
    if (number === undefined) return reply;
    const at = deps.clock.now();
    return apply(reply, number, planNewName(number, body.name, { actor: 'admin', at }), at);
  });

  app.post<{ Params: NumberParams }>('/phone-numbers/:id/quality', async (request, reply) => {
    const body = bodyOf(request.body);
    const { score, reasons, messaging_limit_tier: tier } = body;
    if (score === undefined && tier === undefined) {
      return sendAdminError(reply, 400, 'validation_failed', 'give score and/or messaging_limit_tier');
    }
    if (score !== undefined && !oneOf<QualityScoreValue>(QUALITY_SCORES, score)) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `score must be one of ${QUALITY_SCORES.join(', ')}`,
      );
    }
    if (reasons !== undefined && !(Array.isArray(reasons) && reasons.every((r) => typeof r === 'string'))) {
      return sendAdminError(reply, 400, 'validation_failed', 'reasons must be an array of strings');
    }
    if (reasons !== undefined && score === undefined) {
      return sendAdminError(reply, 400, 'validation_failed', 'reasons go with a score');
    }
    if (tier !== undefined && !oneOf<MessagingLimitTier>(MESSAGING_LIMIT_TIERS, tier)) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `messaging_limit_tier must be one of ${MESSAGING_LIMIT_TIERS.join(', ')}`,
      );
    }
    const number = await load(request.params.id, reply);
    if (number === undefined) return reply;
    const at = deps.clock.now();
    const planned = planQuality(
      number,
      {
        ...(score === undefined ? {} : { score }),
        ...(reasons === undefined ? {} : { reasons: reasons as string[] }),
        ...(tier === undefined ? {} : { tier }),
      },
      { actor: 'admin', at },
    );
    return apply(reply, number, planned, at);
  });

  app.get<{ Params: NumberParams }>('/phone-numbers/:id/history', async (request, reply) => {
    const number = await load(request.params.id, reply);
    if (number === undefined) return reply;
    const history = await deps.store.listHistory(number.id);
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
