// The delivery log as a table of expandable rows: shared by the webhooks view and the number page.
import { api, enc } from '../admin-api.ts';
import type { Delivery } from '../admin-types.ts';
import { badge, errorText, h, table, time } from '../elements.ts';

function attemptsTable(delivery: Delivery): HTMLElement {
  if (delivery.attempts.length === 0) return h('p', {}, 'No attempt yet.');
  return table(
    { class: 'attempts' },
    ['Time', 'URL', 'HTTP status', 'Latency (ms)', 'Error'],
    delivery.attempts.map((attempt) =>
      h(
        'tr',
        {},
        h('td', {}, time(attempt.at)),
        h('td', {}, attempt.url),
        h('td', {}, attempt.http_status === null ? '—' : String(attempt.http_status)),
        h('td', {}, attempt.latency_ms === null ? '—' : String(attempt.latency_ms)),
        h('td', {}, attempt.error ?? ''),
      ),
    ),
  );
}

/** One delivery: a summary line, and in its details the payload, signature, attempts and redeliver. */
function deliveryItem(delivery: Delivery, changed: () => void): HTMLElement {
  const message = h('p', { role: 'status', class: 'error' });
  const redeliver = h('button', { type: 'button' }, 'Redeliver');
  redeliver.addEventListener('click', () => {
    message.textContent = '';
    api(`/webhooks/deliveries/${enc(delivery.id)}/redeliver`, { method: 'POST' }).then(changed, (error) => {
      message.textContent = errorText(error);
    });
  });
  return h(
    'li',
    { 'data-delivery': delivery.id },
    h(
      'details',
      {},
      h(
        'summary',
        {},
        `#${delivery.id} `,
        badge(delivery.status),
        ` ${delivery.field} · number ${delivery.phone_number_id ?? '—'} · app ${delivery.app_id} · `,
        time(delivery.created_at),
        ` · ${delivery.attempts.length} attempt${delivery.attempts.length === 1 ? '' : 's'}`,
      ),
      h(
        'dl',
        {},
        h('dt', {}, 'Event id'),
        h('dd', {}, delivery.event_id),
        h('dt', {}, 'X-Hub-Signature-256'),
        h('dd', { class: 'mono' }, delivery.signature ?? '(app gone)'),
        h('dt', {}, 'Next attempt'),
        h('dd', {}, delivery.next_attempt_at ?? '—'),
      ),
      h('h4', {}, 'Payload'),
      h('pre', { class: 'payload' }, JSON.stringify(delivery.payload, null, 2)),
      h('h4', {}, 'Attempts'),
      attemptsTable(delivery),
      redeliver,
      message,
    ),
  );
}

/** A list of deliveries; `changed` runs after a redeliver (usually a reload of the list). */
export function deliveryList(deliveries: Delivery[], changed: () => void): HTMLElement {
  if (deliveries.length === 0) return h('p', { class: 'deliveries' }, 'No deliveries.');
  return h('ul', { class: 'deliveries' }, ...deliveries.map((delivery) => deliveryItem(delivery, changed)));
}
