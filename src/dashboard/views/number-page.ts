// `#/numbers/{id}`: one number's fields, health, history, QR codes, profile, last OTP and webhook
// deliveries, and the controls that change it (each one admin API call).
import { NAME_DECISIONS, STATUS_TRANSITIONS } from '../../contract/lifecycle.ts';
import { MESSAGING_LIMIT_TIERS, PHONE_NUMBER_STATUSES, QUALITY_SCORES } from '../../contract/phone-number.ts';
import { api, enc } from '../admin-api.ts';
import {
  healthReason,
  type AppView,
  type BoardNumber,
  type Delivery,
  type HistoryLine,
  type Otp,
  type QrCode,
  type RateLimitRow,
} from '../admin-types.ts';
import { badge, errorText, h, section, table, time } from '../elements.ts';
import { checked, controlForm, field, labelled, options } from '../forms.ts';
import { coalesce } from '../coalesce.ts';
import type { View } from '../view.ts';
import { deliveryList } from './deliveries.ts';

interface NumberData {
  number: BoardNumber;
  history: HistoryLine[];
  qrCodes: QrCode[];
  profile: Record<string, unknown>;
  otp: Otp | null;
  deliveries: Delivery[];
  apps: AppView[];
}

let shownId = '';

async function load(id: string): Promise<NumberData> {
  const path = `/phone-numbers/${enc(id)}`;
  const [number, history, qrCodes, profile, otp, deliveries, apps] = await Promise.all([
    api<BoardNumber>(path),
    api<{ data: HistoryLine[] }>(`${path}/history`),
    api<{ data: QrCode[] }>(`${path}/qr-codes`),
    api<Record<string, unknown>>(`${path}/business-profile`),
    api<Otp>(`${path}/otp`).catch(() => null),
    api<{ data: Delivery[] }>(`/webhooks/deliveries?phone_number=${enc(id)}&limit=50`),
    api<{ data: AppView[] }>('/apps'),
  ]);
  return {
    number,
    history: history.data,
    qrCodes: qrCodes.data,
    profile,
    otp,
    deliveries: deliveries.data,
    apps: apps.data,
  };
}

function controls(data: NumberData, again: () => void): HTMLElement {
  const { number } = data;
  const path = `/phone-numbers/${enc(number.id)}`;
  const allowed = STATUS_TRANSITIONS[number.status] ?? [];
  const status = controlForm(
    'Change status',
    [
      labelled('New status', options('status', allowed)),
      labelled('Reason', h('input', { name: 'reason', type: 'text' })),
      labelled('Force (outside the lifecycle table)', h('input', { name: 'force', type: 'checkbox' })),
    ],
    'Change status',
    async (form) => {
      const force = checked(form, 'force');
      if (force && !window.confirm('Force a status change outside the lifecycle table?')) return 'cancelled';
      const reason = field(form, 'reason');
      await api(`${path}/status`, {
        method: 'POST',
        body: {
          status: field(form, 'status'),
          ...(reason === '' ? {} : { reason }),
          ...(force ? { force } : {}),
        },
      });
    },
    again,
  );
  // Force offers every other status; without it, only the lifecycle table's transitions.
  const select = status.querySelector('select[name="status"]') as HTMLSelectElement;
  const submit = status.querySelector('button') as HTMLButtonElement;
  const force = status.querySelector('input[name="force"]') as HTMLInputElement;
  const offer = (): void => {
    const targets = force.checked ? PHONE_NUMBER_STATUSES.filter((s) => s !== number.status) : allowed;
    select.replaceChildren(...targets.map((target) => h('option', { value: target }, target)));
    select.disabled = targets.length === 0;
    submit.disabled = targets.length === 0;
  };
  force.addEventListener('change', offer);
  offer();
  const quality = controlForm(
    'Quality and tier',
    [
      labelled('Quality', options('score', QUALITY_SCORES, 'unchanged')),
      labelled('Tier', options('tier', MESSAGING_LIMIT_TIERS, 'unchanged')),
    ],
    'Set quality and tier',
    async (form) => {
      const score = field(form, 'score');
      const tier = field(form, 'tier');
      await api(`${path}/quality`, {
        method: 'POST',
        body: { ...(score === '' ? {} : { score }), ...(tier === '' ? {} : { messaging_limit_tier: tier }) },
      });
    },
    again,
  );
  const review = controlForm(
    'Name review',
    [
      labelled('Decision', options('decision', NAME_DECISIONS)),
      labelled('Which name', options('which', ['current', 'new'])),
      labelled('Rejection reason (optional)', h('input', { name: 'rejection_reason', type: 'text' })),
    ],
    'Decide',
    async (form) => {
      const rejection = field(form, 'rejection_reason');
      await api(`${path}/name-review`, {
        method: 'POST',
        body: {
          decision: field(form, 'decision'),
          which: field(form, 'which'),
          ...(rejection === '' ? {} : { rejection_reason: rejection }),
        },
      });
    },
    again,
  );
  const newName = controlForm(
    'Request a new name',
    [labelled('New display name', h('input', { name: 'name', type: 'text' }))],
    'Request name',
    async (form) => {
      await api(`${path}/new-name`, { method: 'POST', body: { name: field(form, 'name') } });
    },
    again,
  );
  const installed = data.apps
    .filter((app) => app.wabas === '*' || app.wabas.includes(number.waba_id))
    .map((app) => app.id);
  const limits = controlForm(
    `Rate limit of WABA ${number.waba_id}`,
    [labelled('App', options('app', installed)), labelled('Action', options('action', ['exhaust', 'reset']))],
    'Apply to the window',
    async (form) => {
      const row = await api<RateLimitRow>('/rate-limits', {
        method: 'POST',
        body: { [field(form, 'action')]: { app: field(form, 'app'), waba: number.waba_id } },
      });
      return { note: `${row.calls} of ${row.limit} calls in the window of app ${row.app}` };
    },
    () => undefined,
  );
  return section('controls', 'Controls', status, quality, review, newName, limits);
}

function summary(number: BoardNumber): HTMLElement[] {
  return [
    h('p', {}, h('a', { href: '#/' }, '← all numbers')),
    h('h2', {}, `${number.display_phone_number} — ${number.verified_name}`),
    h(
      'p',
      { id: 'number-summary' },
      'Status ',
      badge(number.status),
      ' quality ',
      badge(number.quality_rating),
      ' name ',
      badge(number.name_status),
      ' can send ',
      badge(number.health_status?.can_send_message),
      ' ',
      healthReason(number.health_status),
    ),
  ];
}

function details(data: NumberData, again: () => void): HTMLElement[] {
  const { number } = data;
  const fields = Object.entries(number).filter(([key]) => key !== 'health_status');
  const entities = number.health_status?.entities ?? [];
  return [
    section(
      'health',
      'Health',
      table(
        { id: 'health' },
        ['Entity', 'Id', 'Can send', 'Errors and information'],
        entities.map((entity) =>
          h(
            'tr',
            {},
            h('td', {}, entity.entity_type),
            h('td', {}, entity.id),
            h('td', {}, badge(entity.can_send_message)),
            h(
              'td',
              {},
              [
                ...(entity.errors ?? []).map((error) => error.error_description),
                ...(entity.additional_info ?? []),
              ].join(' '),
            ),
          ),
        ),
      ),
    ),
    section(
      'history',
      'History',
      table(
        { id: 'history' },
        ['Time', 'Who', 'Change', 'From', 'To', 'Reason'],
        data.history.map((line) =>
          h(
            'tr',
            {},
            h('td', {}, time(line.at)),
            h('td', {}, line.actor),
            h('td', {}, line.change),
            h('td', {}, line.from ?? ''),
            h('td', {}, line.to ?? ''),
            h('td', {}, line.reason ?? ''),
          ),
        ),
      ),
    ),
    section(
      'otp',
      'SMS inbox (last code)',
      data.otp === null
        ? h('p', {}, 'No code has been requested.')
        : h(
            'p',
            {},
            h('strong', { class: 'otp' }, data.otp.code),
            ` by ${data.otp.code_method}, issued `,
            time(data.otp.issued_at),
          ),
    ),
    section(
      'qr',
      'QR codes',
      data.qrCodes.length === 0
        ? h('p', {}, 'No QR codes.')
        : h(
            'ul',
            { class: 'qr-codes' },
            ...data.qrCodes.map((qr) =>
              h(
                'li',
                {},
                h('img', {
                  src: qr.image_png,
                  alt: `QR code ${qr.code}`,
                  width: '128',
                  height: '128',
                }),
                h(
                  'p',
                  {},
                  h('code', {}, qr.code),
                  ` “${qr.prefilled_message}” `,
                  h('a', { href: qr.image_svg }, 'SVG'),
                  ' ',
                  h('span', { class: 'mono' }, qr.deep_link_url),
                ),
              ),
            ),
          ),
    ),
    section(
      'profile',
      'Business profile',
      h(
        'dl',
        {},
        ...Object.entries(data.profile).flatMap(([key, value]) => [
          h('dt', {}, key),
          h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value)),
        ]),
      ),
    ),
    section('number-deliveries', 'Webhook deliveries', deliveryList(data.deliveries, again)),
    section(
      'fields',
      'Fields',
      h('p', {}, 'Every readable field of the node, as the admin plane answers (newest Graph version).'),
      h(
        'dl',
        {},
        ...fields.flatMap(([key, value]) => [
          h('dt', {}, key),
          h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value)),
        ]),
      ),
    ),
  ];
}

/**
 * Draws the page; `keepControls` leaves the controls alone while one of them has focus (a live update
 * must not throw away what the user is typing).
 */
async function renderNumber(main: HTMLElement, id: string, live = false): Promise<void> {
  shownId = id;
  let data: NumberData;
  try {
    data = await load(id);
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error' }, errorText(error)));
    return;
  }
  if (shownId !== id) return;
  const again = (): void => void renderNumber(main, id);
  const current = document.getElementById('controls-h')?.parentElement;
  const keep = live && current !== undefined && current !== null && current.contains(document.activeElement);
  main.replaceChildren(
    ...summary(data.number),
    keep && current !== null && current !== undefined ? current : controls(data, again),
    ...details(data, again),
  );
}

const LIVE_KINDS = new Set(['phone_number', 'business_profile', 'qr_code']);

const refresh = coalesce(
  () => void renderNumber(document.getElementById('main') as HTMLElement, shownId, true),
  200,
);

export const numberPageView: View = {
  render: (main, id) => renderNumber(main, id),
  event(kind, event, shown) {
    if (!shown) return;
    // Delivery events name the delivery, not the number: any of them may change this page's log.
    if ((LIVE_KINDS.has(kind) && event.phone_number_id === shownId) || kind === 'delivery') refresh();
  },
};
