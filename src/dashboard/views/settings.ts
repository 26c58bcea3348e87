// `#/settings`: the server clock and the fault rules.
import { api, enc } from '../admin-api.ts';
import { coalesce } from '../coalesce.ts';
import { errorText, h, section, table } from '../elements.ts';
import { controlForm, field, labelled, options } from '../forms.ts';
import type { View } from '../view.ts';

interface Clock {
  now: string;
  offset_ms: number;
}

interface FaultRule {
  id: string;
  match: Record<string, string>;
  action: Record<string, unknown>;
  times: number | null;
  probability: number | null;
  remaining: number | null;
  matched: number;
}

const reload = (): void => void renderBody();

function clockSection(clock: Clock): HTMLElement {
  const advance = controlForm(
    'Advance the clock',
    [labelled('By (e.g. 2h, 30m, 1d)', h('input', { name: 'advance', type: 'text', required: true }))],
    'Advance',
    async (form) => {
      await api('/clock', { method: 'POST', body: { advance: field(form, 'advance') } });
    },
    reload,
  );
  const set = controlForm(
    'Set the clock',
    [
      labelled(
        'To (ISO-8601 UTC)',
        h('input', { name: 'set', type: 'text', required: true, value: clock.now }),
      ),
    ],
    'Set',
    async (form) => {
      await api('/clock', { method: 'POST', body: { set: field(form, 'set') } });
    },
    reload,
  );
  const real = h('button', { type: 'button' }, 'Back to real time');
  const message = h('p', { role: 'status' });
  real.addEventListener('click', () => {
    api('/clock', { method: 'POST', body: { real: true } }).then(reload, (error) => {
      message.textContent = errorText(error);
    });
  });
  return section(
    'clock',
    'Clock',
    h('p', { id: 'clock-now' }, `Server time ${clock.now} (offset ${clock.offset_ms} ms from real time)`),
    advance,
    set,
    h('p', {}, real),
    message,
  );
}

function describe(rule: FaultRule): string {
  const match = Object.entries(rule.match)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  return match === '' ? 'every Graph request' : match;
}

function faultSection(rules: FaultRule[]): HTMLElement {
  const rows = rules.map((rule) => {
    const remove = h('button', { type: 'button', 'aria-label': `Remove fault rule ${rule.id}` }, 'Remove');
    remove.addEventListener('click', () => {
      api(`/faults/${enc(rule.id)}`, { method: 'DELETE' }).then(reload, (error) => {
        remove.textContent = errorText(error);
      });
    });
    return h(
      'tr',
      { 'data-rule': rule.id },
      h('td', {}, rule.id),
      h('td', {}, describe(rule)),
      h('td', { class: 'mono' }, JSON.stringify(rule.action)),
      h('td', {}, rule.times === null ? 'always' : `${rule.remaining ?? 0} of ${rule.times} left`),
      h('td', {}, rule.probability === null ? '1' : String(rule.probability)),
      h('td', {}, String(rule.matched)),
      h('td', {}, remove),
    );
  });
  const add = controlForm(
    'Add a fault rule',
    [
      labelled('Method (empty: any)', h('input', { name: 'method', type: 'text' })),
      labelled('Path regex', h('input', { name: 'path_regex', type: 'text' })),
      labelled('Phone number id', h('input', { name: 'phone_number', type: 'text' })),
      labelled('Token app id', h('input', { name: 'token_app', type: 'text' })),
      labelled('Action', options('action', ['graph_error', 'delay_ms', 'drop_connection'])),
      labelled('Graph error code', h('input', { name: 'code', type: 'number', value: '2' })),
      labelled('Error subcode', h('input', { name: 'subcode', type: 'number' })),
      labelled('HTTP status', h('input', { name: 'http_status', type: 'number' })),
      labelled('Error message', h('input', { name: 'message', type: 'text' })),
      labelled('Delay (ms)', h('input', { name: 'delay', type: 'number', value: '1000' })),
      labelled('Times (empty: always)', h('input', { name: 'times', type: 'number' })),
      labelled('Probability (0-1)', h('input', { name: 'probability', type: 'text' })),
    ],
    'Add rule',
    async (form) => {
      const text = (name: string): string => field(form, name).trim();
      const number = (name: string): number | undefined =>
        text(name) === '' ? undefined : Number(text(name));
      const match = Object.fromEntries(
        ['method', 'path_regex', 'phone_number', 'token_app']
          .filter((key) => text(key) !== '')
          .map((key) => [key, text(key)]),
      );
      const kind = field(form, 'action');
      const graphError = Object.fromEntries(
        Object.entries({
          code: number('code'),
          subcode: number('subcode'),
          http_status: number('http_status'),
          message: text('message') === '' ? undefined : text('message'),
        }).filter(([, value]) => value !== undefined),
      );
      const action =
        kind === 'graph_error'
          ? { graph_error: graphError }
          : kind === 'delay_ms'
            ? { delay_ms: number('delay') }
            : { drop_connection: true };
      await api('/faults', {
        method: 'POST',
        body: {
          ...(Object.keys(match).length === 0 ? {} : { match }),
          action,
          ...(number('times') === undefined ? {} : { times: number('times') }),
          ...(number('probability') === undefined ? {} : { probability: number('probability') }),
        },
      });
    },
    reload,
  );
  const clear = h('button', { type: 'button' }, 'Remove every rule');
  clear.addEventListener('click', () => {
    if (window.confirm('Remove every fault rule?')) void api('/faults', { method: 'DELETE' }).then(reload);
  });
  return section(
    'faults',
    'Fault rules',
    rules.length === 0
      ? h('p', {}, 'No fault rules: Graph answers normally.')
      : table(
          { id: 'fault-rules' },
          ['Id', 'Matches', 'Action', 'Times', 'Probability', 'Matched', ''],
          rows,
        ),
    rules.length === 0 ? null : h('p', {}, clear),
    add,
  );
}

async function renderBody(): Promise<void> {
  const holder = document.getElementById('settings-body');
  if (holder === null) return;
  try {
    const [clock, faults] = await Promise.all([api<Clock>('/clock'), api<{ data: FaultRule[] }>('/faults')]);
    // A live update leaves alone what the user is typing.
    if (holder.contains(document.activeElement) && document.activeElement?.tagName === 'INPUT') return;
    holder.replaceChildren(clockSection(clock), faultSection(faults.data));
  } catch (error) {
    holder.replaceChildren(h('p', { class: 'error' }, errorText(error)));
  }
}

const refresh = coalesce(reload, 300);

export const settingsView: View = {
  async render(main) {
    main.replaceChildren(h('h2', {}, 'Clock and faults'), h('div', { id: 'settings-body' }));
    await renderBody();
  },
  event(kind, _event, shown) {
    if (shown && (kind === 'clock' || kind === 'fault_rule' || kind === 'state')) refresh();
  },
};
