// `#/webhooks`: each app's subscription, the outbox lag and the delivery log with its filters.
import { DELIVERY_STATUSES, WEBHOOK_FIELDS } from '../../contract/lifecycle.ts';
import { api } from '../admin-api.ts';
import type { AppView, Delivery } from '../admin-types.ts';
import { coalesce } from '../coalesce.ts';
import { badge, errorText, h, section, table } from '../elements.ts';
import { options } from '../forms.ts';
import type { View } from '../view.ts';
import { deliveryList } from './deliveries.ts';

interface Health {
  outbox: { pending: number; oldest_pending_age_s: number | null } | 'unavailable';
}

const filters = { status: '', phone_number: '', field: '' };

function subscriptions(apps: AppView[]): HTMLElement {
  return table(
    { id: 'subscriptions' },
    ['App', 'Installed on', 'Callback URL', 'State', 'Fields'],
    apps.map((app) =>
      h(
        'tr',
        { 'data-app': app.id },
        h('td', {}, `${app.name} (${app.id})`),
        h('td', {}, app.wabas === '*' ? 'every WABA' : app.wabas.join(', ')),
        h('td', {}, app.webhook?.url ?? 'not subscribed'),
        h('td', {}, app.webhook === null ? '' : badge(app.webhook.state)),
        h('td', {}, app.webhook?.fields.join(', ') ?? ''),
      ),
    ),
  );
}

function lag(health: Health): string {
  if (health.outbox === 'unavailable') return 'Outbox: the database is unavailable.';
  const age = health.outbox.oldest_pending_age_s;
  return `Outbox: ${health.outbox.pending} pending${age === null ? '' : `, the oldest ${age} s old`}.`;
}

async function loadLog(): Promise<Delivery[]> {
  const query = new URLSearchParams({ limit: '200' });
  for (const [key, value] of Object.entries(filters)) if (value !== '') query.set(key, value);
  return (await api<{ data: Delivery[] }>(`/webhooks/deliveries?${query.toString()}`)).data;
}

async function renderLog(): Promise<void> {
  const holder = document.getElementById('delivery-log');
  if (holder === null) return;
  try {
    const deliveries = await loadLog();
    // Keep open the deliveries the user opened.
    const open = new Set(
      [...holder.querySelectorAll('li[data-delivery] details[open]')].map(
        (details) => details.parentElement?.getAttribute('data-delivery') ?? '',
      ),
    );
    const list = deliveryList(deliveries, () => void renderLog());
    for (const item of list.querySelectorAll('li[data-delivery]')) {
      if (open.has(item.getAttribute('data-delivery') ?? ''))
        item.querySelector('details')?.setAttribute('open', '');
    }
    holder.replaceChildren(list);
  } catch (error) {
    holder.replaceChildren(h('p', { class: 'error' }, errorText(error)));
  }
}

async function renderTop(): Promise<void> {
  const subs = document.getElementById('subscriptions-holder');
  const outbox = document.getElementById('outbox-lag');
  if (subs === null || outbox === null) return;
  const [apps, health] = await Promise.all([
    api<{ data: AppView[] }>('/apps'),
    api<Health>('/health').catch((): Health => ({ outbox: 'unavailable' })),
  ]);
  subs.replaceChildren(subscriptions(apps.data));
  outbox.textContent = lag(health);
}

function filterForm(): HTMLElement {
  const status = options('status', DELIVERY_STATUSES, 'any');
  const field = options('field', WEBHOOK_FIELDS, 'any');
  const number = h('input', { name: 'phone_number', type: 'search', value: filters.phone_number });
  for (const control of [status, field]) {
    (control as HTMLSelectElement).value = filters[control.getAttribute('name') as 'status' | 'field'];
  }
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter deliveries' },
    h('label', {}, 'Status', status),
    h('label', {}, 'Phone number id', number),
    h('label', {}, 'Field', field),
  );
  const apply = (): void => {
    filters.status = (status as HTMLSelectElement).value;
    filters.field = (field as HTMLSelectElement).value;
    filters.phone_number = (number as HTMLInputElement).value.trim();
    void renderLog();
  };
  form.addEventListener('change', apply);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  return form;
}

const refreshLog = coalesce(() => void renderLog(), 300);
const refreshTop = coalesce(() => void renderTop(), 300);

export const webhooksView: View = {
  async render(main) {
    main.replaceChildren(
      h('h2', {}, 'Webhooks'),
      section('subs', 'Subscriptions', h('div', { id: 'subscriptions-holder' })),
      h('p', { id: 'outbox-lag', role: 'status' }),
      section('log', 'Delivery log', filterForm(), h('div', { id: 'delivery-log' })),
    );
    await Promise.all([renderTop(), renderLog()]);
  },
  event(kind, _event, shown) {
    if (!shown) return;
    if (kind === 'delivery' || kind === 'phone_number' || kind === 'waba' || kind === 'state') {
      refreshLog();
      refreshTop();
    }
    if (kind === 'webhook_subscription') refreshTop();
  },
};
