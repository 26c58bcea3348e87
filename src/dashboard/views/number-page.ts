// `#/numbers/{id}`: one number's fields, health, history and the controls that change it.
import { NAME_DECISIONS, STATUS_TRANSITIONS } from '../../contract/lifecycle.ts';
import { MESSAGING_LIMIT_TIERS, QUALITY_SCORES } from '../../contract/phone-number.ts';
import { api, enc } from '../admin-api.ts';
import { healthReason, type BoardNumber, type HistoryLine } from '../admin-types.ts';
import { badge, errorText, h, section, table } from '../elements.ts';
import { checked, controlForm, field, labelled, options } from '../forms.ts';
import type { View } from '../view.ts';

let shownId = '';

async function renderNumber(main: HTMLElement, id: string): Promise<void> {
  shownId = id;
  const path = `/phone-numbers/${enc(id)}`;
  let number: BoardNumber;
  let history: HistoryLine[];
  try {
    number = await api<BoardNumber>(path);
    history = (await api<{ data: HistoryLine[] }>(`${path}/history`)).data;
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error' }, errorText(error)));
    return;
  }
  const again = (): void => void renderNumber(main, id);
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
  if (allowed.length === 0) status.querySelector('button')?.setAttribute('disabled', '');
  const quality = controlForm(
    'Quality and tier',
    [
      labelled('Quality', options('score', QUALITY_SCORES, 'unchanged')),
      labelled('Tier', options('tier', MESSAGING_LIMIT_TIERS, 'unchanged')),
    ],
    'Set',
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
    ],
    'Decide',
    async (form) => {
      await api(`${path}/name-review`, {
        method: 'POST',
        body: { decision: field(form, 'decision'), which: field(form, 'which') },
      });
    },
    again,
  );
  const fields = Object.entries(number).filter(([key]) => key !== 'health_status');
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← all numbers')),
    h('h2', {}, `${number.display_phone_number} — ${number.verified_name}`),
    h(
      'p',
      {},
      'Status ',
      badge(number.status),
      ' quality ',
      badge(number.quality_rating),
      ' can send ',
      badge(number.health_status?.can_send_message),
      ' ',
      healthReason(number.health_status),
    ),
    section('controls', 'Controls', status, quality, review),
    section(
      'history',
      'History',
      table(
        { id: 'history' },
        ['Time', 'Who', 'Change', 'From', 'To', 'Reason'],
        history.map((line) =>
          h(
            'tr',
            {},
            h('td', {}, line.at),
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
      'fields',
      'Fields',
      h(
        'dl',
        {},
        ...fields.flatMap(([key, value]) => [
          h('dt', {}, key),
          h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value)),
        ]),
      ),
    ),
  );
}

export const numberPageView: View = {
  render: (main, id) => renderNumber(main, id),
  event(_kind, event, shown) {
    if (shown && event.phone_number_id === shownId) {
      void renderNumber(document.getElementById('main') as HTMLElement, shownId);
    }
  },
};
