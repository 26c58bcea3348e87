// `#/requests`: the request journal with filters and a live tail; `#/requests/{id}`: one exchange.
import { api, enc } from '../admin-api.ts';
import type { JournalEntry } from '../admin-types.ts';
import { coalesce } from '../coalesce.ts';
import { badge, errorText, h, section, table, time } from '../elements.ts';
import type { View } from '../view.ts';

const filters = { method: '', path: '', status: '', code: '' };
let tail = true;
let shownId = '';

function statusBadge(entry: JournalEntry): HTMLElement {
  if (entry.dropped || entry.status === null) return badge('dropped');
  const tone = entry.status < 400 ? 'CONNECTED' : entry.status < 500 ? 'FLAGGED' : 'BANNED';
  const element = badge(tone);
  element.textContent = String(entry.status);
  return element;
}

function row(entry: JournalEntry): HTMLElement {
  const target = entry.query === '' ? entry.path : `${entry.path}?${entry.query}`;
  return h(
    'tr',
    { 'data-request': String(entry.id) },
    h('td', {}, time(entry.at)),
    h('td', {}, entry.method),
    h('td', { class: 'mono' }, h('a', { href: `#/requests/${entry.id}` }, target)),
    h('td', {}, entry.app_id ?? '—'),
    h('td', {}, statusBadge(entry)),
    h(
      'td',
      {},
      entry.code === null
        ? ''
        : `${entry.code}${entry.error_subcode === null ? '' : ` / ${entry.error_subcode}`}`,
    ),
    h('td', { class: 'mono' }, entry.buc_usage === null ? '' : JSON.stringify(entry.buc_usage)),
    h('td', {}, String(Math.round(entry.duration_ms * 10) / 10)),
    h('td', { class: 'mono' }, entry.fbtrace_id ?? ''),
  );
}

async function renderList(): Promise<void> {
  const holder = document.getElementById('journal-holder');
  if (holder === null) return;
  const query = new URLSearchParams({ limit: '200' });
  for (const [key, value] of Object.entries(filters)) if (value !== '') query.set(key, value);
  try {
    const entries = (await api<{ data: JournalEntry[] }>(`/requests?${query.toString()}`)).data;
    holder.replaceChildren(
      h(
        'p',
        { role: 'status' },
        `${entries.length} request${entries.length === 1 ? '' : 's'} shown, newest first`,
      ),
      table(
        { id: 'journal' },
        [
          'Time',
          'Method',
          'Path and query',
          'App',
          'Status',
          'Code / subcode',
          'BUC usage',
          'ms',
          'fbtrace_id',
        ],
        entries.map(row),
      ),
    );
  } catch (error) {
    holder.replaceChildren(h('p', { class: 'error' }, errorText(error)));
  }
}

function filterForm(): HTMLElement {
  const inputs = Object.keys(filters).map((key) => {
    const input = h('input', {
      name: key,
      type: 'search',
      value: filters[key as keyof typeof filters],
      placeholder: { method: 'GET', path: '/v21.0/…', status: '4xx', code: '100' }[key] ?? '',
    }) as HTMLInputElement;
    input.addEventListener('input', () => {
      filters[key as keyof typeof filters] = input.value.trim();
      void renderList();
    });
    return input;
  });
  const live = h('input', { name: 'tail', type: 'checkbox', checked: tail }) as HTMLInputElement;
  live.addEventListener('change', () => {
    tail = live.checked;
    if (tail) void renderList();
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter requests' },
    h('label', {}, 'Method', inputs[0]),
    h('label', {}, 'Path contains', inputs[1]),
    h('label', {}, 'Status (200 or 4xx)', inputs[2]),
    h('label', {}, 'Graph code', inputs[3]),
    h('label', { class: 'inline' }, live, 'Live tail'),
  );
  form.addEventListener('submit', (event) => event.preventDefault());
  return form;
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

async function renderDetail(main: HTMLElement, id: string): Promise<void> {
  let entry: JournalEntry;
  try {
    entry = await api<JournalEntry>(`/requests/${enc(id)}`);
  } catch (error) {
    main.replaceChildren(
      h('p', {}, h('a', { href: '#/requests' }, '← all requests')),
      h('p', { class: 'error' }, errorText(error)),
    );
    return;
  }
  const target = entry.query === '' ? entry.path : `${entry.path}?${entry.query}`;
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/requests' }, '← all requests')),
    h('h2', { class: 'mono' }, `${entry.method} ${target}`),
    h(
      'dl',
      {},
      ...(
        [
          ['Time', entry.at],
          ['App', entry.app_id ?? '—'],
          ['Status', entry.dropped ? 'connection dropped' : String(entry.status)],
          ['Graph code / subcode', `${entry.code ?? '—'} / ${entry.error_subcode ?? '—'}`],
          ['BUC usage', JSON.stringify(entry.buc_usage)],
          ['Duration (ms)', String(entry.duration_ms)],
          ['fbtrace_id', entry.fbtrace_id ?? '—'],
        ] as const
      ).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]),
    ),
    section(
      'response-headers',
      'Response headers',
      table(
        { id: 'response-headers' },
        ['Header', 'Value'],
        entry.response_headers.map(([name, value]) =>
          h('tr', {}, h('td', {}, name), h('td', { class: 'mono' }, value)),
        ),
      ),
    ),
    section(
      'response-body',
      'Response body (exact)',
      h('pre', { id: 'response-body', class: 'payload' }, entry.response_body),
      entry.response_body === ''
        ? null
        : h('details', {}, h('summary', {}, 'Indented'), h('pre', {}, prettyBody(entry.response_body))),
    ),
  );
}

const refresh = coalesce(() => void renderList(), 250);

export const requestsView: View = {
  async render(main, id) {
    shownId = id;
    if (id !== '') return renderDetail(main, id);
    main.replaceChildren(
      h('h2', {}, 'Requests'),
      h('p', {}, 'The last Graph requests this server answered; tokens and secrets are redacted.'),
      filterForm(),
      h('div', { id: 'journal-holder' }),
    );
    await renderList();
  },
  event(kind, _event, shown) {
    if (shown && shownId === '' && tail && (kind === 'request' || kind === 'state')) refresh();
  },
};
