import type { FastifyInstance } from 'fastify';
import { DELIVERY_STATUSES, WEBHOOK_FIELDS, type DeliveryStatus } from '../../../contract/lifecycle.ts';
import { DEFAULT_WEBHOOK_FIELDS } from '../../../domain/scenario/scenario-schema.ts';
import type { DeliveryRecord, WebhookSubscription } from '../../../store/records.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { deliveryBody } from '../../../webhooks/delivery-body.ts';
import { hubSignature } from '../../../webhooks/signature.ts';
import { sendAdminError } from '../admin-errors.ts';

const MAX_DELIVERIES = 1000;

/**
 * A delivery as the log shows it: the event, its status, every attempt and the `X-Hub-Signature-256`
 * its body carries under the app's current secret (null when the app is gone).
 */
export function deliveryView(delivery: DeliveryRecord, secret: string | undefined): Record<string, unknown> {
  return {
    id: String(delivery.id),
    event_id: delivery.event_id,
    app_id: delivery.app_id,
    phone_number_id: delivery.phone_number_id,
    waba_id: delivery.waba_id,
    field: delivery.field,
    status: delivery.status,
    created_at: delivery.created_at,
    next_attempt_at: delivery.next_attempt_at,
    payload: JSON.parse(delivery.payload) as unknown,
    attempts: delivery.attempt_log.map((attempt) => ({ ...attempt })),
    signature: secret === undefined ? null : hubSignature(secret, deliveryBody(delivery.payload)),
  };
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** App webhook subscriptions and the delivery log (webhooks.md). */
export function webhookRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.put<{ Params: { id: string } }>('/apps/:id/webhook', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!isHttpUrl(body.url))
      return sendAdminError(reply, 400, 'validation_failed', 'url must be an http(s) URL');
    if (typeof body.verify_token !== 'string') {
      return sendAdminError(reply, 400, 'validation_failed', 'verify_token must be a string');
    }
    const fields = body.fields ?? [...DEFAULT_WEBHOOK_FIELDS];
    if (
      !Array.isArray(fields) ||
      !fields.every((field) => (WEBHOOK_FIELDS as readonly unknown[]).includes(field))
    ) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `fields must be a list of ${WEBHOOK_FIELDS.join(', ')}`,
      );
    }
    const current = await deps.store.getApp(request.params.id);
    if (current === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown app ${request.params.id}`);
    // A new URL (or a new subscription) is verified again; the same URL keeps its state.
    const keep =
      current.webhook !== null &&
      current.webhook.url === body.url &&
      current.webhook.verify_token === body.verify_token;
    const webhook: WebhookSubscription = {
      url: body.url,
      verify_token: body.verify_token,
      fields: [...new Set(fields as string[])],
      state: keep && current.webhook !== null ? current.webhook.state : 'pending_verification',
    };
    await deps.store.setAppWebhook(current.id, webhook);
    deps.dispatcher.notify();
    return reply.send(webhook);
  });

  app.delete<{ Params: { id: string } }>('/apps/:id/webhook', async (request, reply) => {
    const current = await deps.store.getApp(request.params.id);
    if (current === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown app ${request.params.id}`);
    await deps.store.setAppWebhook(current.id, null);
    return reply.send({ success: true });
  });

  /** Each app's secret, read once per answer (the signature is computed when the log is read). */
  async function secrets(): Promise<Map<string, string>> {
    return new Map((await deps.store.listApps()).map((record) => [record.id, record.secret]));
  }

  app.get('/apps', async () => ({
    data: (await deps.store.listApps()).map((record) => ({
      id: record.id,
      name: record.name,
      wabas: record.wabas,
      webhook:
        record.webhook === null
          ? null
          : {
              url: record.webhook.url,
              fields: record.webhook.fields,
              state: record.webhook.state,
            },
    })),
  }));

  app.get<{ Querystring: { phone_number?: string; status?: string; field?: string; limit?: string } }>(
    '/webhooks/deliveries',
    async (request, reply) => {
      const { phone_number: phoneNumber, status, field, limit } = request.query;
      if (field !== undefined && field !== '' && !(WEBHOOK_FIELDS as readonly string[]).includes(field)) {
        return sendAdminError(
          reply,
          400,
          'validation_failed',
          `field must be one of ${WEBHOOK_FIELDS.join(', ')}`,
        );
      }
      if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
        return sendAdminError(
          reply,
          400,
          'validation_failed',
          `status must be one of ${DELIVERY_STATUSES.join(', ')}`,
        );
      }
      const count = limit === undefined ? 100 : Number(limit);
      if (!Number.isInteger(count) || count < 1 || count > MAX_DELIVERIES) {
        return sendAdminError(reply, 400, 'validation_failed', `limit must be 1-${MAX_DELIVERIES}`);
      }
      const deliveries = await deps.store.listDeliveries({
        ...(phoneNumber === undefined || phoneNumber === '' ? {} : { phone_number: phoneNumber }),
        ...(status === undefined ? {} : { status: status as DeliveryStatus }),
        ...(field === undefined || field === '' ? {} : { field }),
        limit: count,
      });
      const secretOf = await secrets();
      return reply.send({ data: deliveries.map((d) => deliveryView(d, secretOf.get(d.app_id))) });
    },
  );

  app.post<{ Params: { id: string } }>('/webhooks/deliveries/:id/redeliver', async (request, reply) => {
    const id = Number(request.params.id);
    const found =
      /^\d+$/.test(request.params.id) && (await deps.store.redeliver(id, deps.clock.now().toISOString()));
    if (!found) return sendAdminError(reply, 404, 'not_found', `Unknown delivery ${request.params.id}`);
    deps.dispatcher.notify();
    const delivery = await deps.store.getDelivery(id);
    return reply.send(
      delivery === undefined ? {} : deliveryView(delivery, (await secrets()).get(delivery.app_id)),
    );
  });
}
