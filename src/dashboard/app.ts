// The dashboard: plain TypeScript and the DOM, bundled by esbuild (docs/decisions/0006-dashboard-stack.md).
// It reads and changes state only through the admin API and listens to its event stream.
import { NAME_DECISIONS, STATUS_TRANSITIONS } from '../contract/lifecycle.ts';
import { MESSAGING_LIMIT_TIERS, QUALITY_SCORES, type PhoneNumberStatus } from '../contract/phone-number.ts';

const ADMIN = '/__admin';
const PAGE_SIZE = 200;

interface HealthStatus {
  can_send_message: string;
  entities: {
    entity_type: string;
    id: string;
    can_send_message: string;
    errors?: { error_description: string }[];
    additional_info?: string[];
  }[];
}

interface BoardNumber {
  id: string;
  display_phone_number: string;
  verified_name: string;
  status: PhoneNumberStatus;
  quality_rating: string;
  name_status: string;
  new_name_status?: string;
  requested_verified_name: string | null;
  messaging_limit_tier?: string;
  platform_type: string;
  waba_id: string;
  business_id: string | null;
  health_status: HealthStatus | null;
  last_change_at: string | null;
  [field: string]: unknown;
}

interface HistoryLine {
  at: string;
  actor: string;
  change: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

type Child = Node | string | null | undefined | false;

/** Builds an element; text goes in as text nodes, never as HTML. */
function h(
  tag: string,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

class AdminError extends Error {}

async function api<T>(path: string, init?: { method: string; body?: unknown }): Promise<T> {
  const response = await fetch(`${ADMIN}${path}`, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as T & { error?: { message: string; allowed?: string[] } };
  if (!response.ok) {
    const allowed = body.error?.allowed === undefined ? '' : ` (allowed: ${body.error.allowed.join(', ')})`;
    throw new AdminError(`${body.error?.message ?? `HTTP ${response.status}`}${allowed}`);
  }
  return body;
}

/** Colour plus a text label: meaning never rests on colour alone. */
const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = {
  CONNECTED: 'good',
  AVAILABLE: 'good',
  GREEN: 'good',
  APPROVED: 'good',
  FLAGGED: 'warn',
  RESTRICTED: 'warn',
  RATE_LIMITED: 'warn',
  LIMITED: 'warn',
  YELLOW: 'warn',
  PENDING_REVIEW: 'warn',
  PENDING: 'neutral',
  DISCONNECTED: 'bad',
  BANNED: 'bad',
  BLOCKED: 'bad',
  RED: 'bad',
  DECLINED: 'bad',
  DELETED: 'bad',
};

function badge(value: string | undefined | null): HTMLElement {
  const text = value ?? '—';
  return h('span', { class: `badge ${TONE[text] ?? 'neutral'}` }, text);
}

function healthReason(health: HealthStatus | null): string {
  if (health === null) return '';
  const reasons: string[] = [];
  for (const entity of health.entities) {
    for (const error of entity.errors ?? []) reasons.push(error.error_description);
    for (const info of entity.additional_info ?? []) reasons.push(info);
  }
  return reasons.join(' ');
}

// ---- state ----
const numbers = new Map<string, BoardNumber>();
const board = {
  search: '',
  business: '',
  waba: '',
  status: '',
  quality: '',
  sort: 'display_phone_number',
  desc: false,
  page: 0,
};
let loaded = false;

async function loadAll(): Promise<void> {
  numbers.clear();
  let after: string | undefined;
  for (;;) {
    const query = after === undefined ? '' : `&after=${encodeURIComponent(after)}`;
    const page = await api<{ data: BoardNumber[]; next_after?: string }>(`/phone-numbers?limit=5000${query}`);
    for (const number of page.data) numbers.set(number.id, number);
    if (page.next_after === undefined) break;
    after = page.next_after;
  }
  loaded = true;
}

async function refreshNumber(id: string): Promise<void> {
  try {
    numbers.set(id, await api<BoardNumber>(`/phone-numbers/${encodeURIComponent(id)}`));
  } catch {
    numbers.delete(id);
  }
}

// ---- board ----
const COLUMNS: [keyof BoardNumber & string, string][] = [
  ['display_phone_number', 'Number'],
  ['verified_name', 'Verified name'],
  ['status', 'Status'],
  ['quality_rating', 'Quality'],
  ['name_status', 'Name status'],
  ['messaging_limit_tier', 'Tier'],
  ['platform_type', 'Platform'],
  ['health_status', 'Can send'],
  ['last_change_at', 'Last change'],
];

function distinct(pick: (number: BoardNumber) => string | null): string[] {
  return [...new Set([...numbers.values()].map(pick).filter((v): v is string => v !== null))].sort();
}

function select(
  label: string,
  key: 'business' | 'waba' | 'status' | 'quality',
  options: string[],
): HTMLElement {
  const control = h(
    'select',
    { name: key },
    h('option', { value: '' }, 'all'),
    ...options.map((o) => h('option', { value: o, selected: board[key] === o }, o)),
  );
  control.addEventListener('change', () => {
    board[key] = (control as HTMLSelectElement).value;
    board.page = 0;
    renderBoardRows();
  });
  return h('label', {}, label, control);
}

function filtered(): BoardNumber[] {
  const term = board.search.trim().toLowerCase();
  const rows = [...numbers.values()].filter(
    (n) =>
      (board.business === '' || n.business_id === board.business) &&
      (board.waba === '' || n.waba_id === board.waba) &&
      (board.status === '' || n.status === board.status) &&
      (board.quality === '' || n.quality_rating === board.quality) &&
      (term === '' ||
        n.display_phone_number.toLowerCase().includes(term) ||
        n.display_phone_number.replace(/\D/g, '').includes(term.replace(/\D/g, '') || '\u0000') ||
        n.verified_name.toLowerCase().includes(term) ||
        n.id.includes(term)),
  );
  const key = board.sort;
  const value = (n: BoardNumber): string => {
    const v = key === 'health_status' ? n.health_status?.can_send_message : n[key];
    return typeof v === 'string' ? v : '';
  };
  rows.sort((a, b) => value(a).localeCompare(value(b)) * (board.desc ? -1 : 1));
  return rows;
}

function boardRow(n: BoardNumber): HTMLElement {
  const pendingName =
    n.new_name_status === 'PENDING_REVIEW' && n.requested_verified_name !== null
      ? ` (new: ${n.requested_verified_name}, pending)`
      : '';
  return h(
    'tr',
    { 'data-id': n.id },
    h('td', {}, h('a', { href: `#/numbers/${n.id}` }, n.display_phone_number)),
    h('td', {}, n.verified_name + pendingName),
    h('td', { 'data-field': 'status' }, badge(n.status)),
    h('td', {}, badge(n.quality_rating)),
    h('td', {}, badge(n.name_status)),
    h('td', {}, n.messaging_limit_tier ?? ''),
    h('td', {}, n.platform_type),
    h(
      'td',
      { title: healthReason(n.health_status) },
      badge(n.health_status?.can_send_message),
      ' ',
      healthReason(n.health_status),
    ),
    h(
      'td',
      {},
      n.last_change_at === null
        ? ''
        : h('time', { datetime: n.last_change_at }, n.last_change_at.replace('T', ' ').slice(0, 19)),
    ),
  );
}

function renderBoardRows(): void {
  const body = document.getElementById('board-rows');
  const summary = document.getElementById('board-summary');
  const pager = document.getElementById('board-pager');
  if (body === null || summary === null || pager === null) return;
  const rows = filtered();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  board.page = Math.min(board.page, pages - 1);
  body.replaceChildren(...rows.slice(board.page * PAGE_SIZE, (board.page + 1) * PAGE_SIZE).map(boardRow));
  summary.textContent = `${rows.length} of ${numbers.size} numbers`;
  const prev = h('button', { type: 'button', disabled: board.page === 0 }, 'Previous page');
  const next = h('button', { type: 'button', disabled: board.page >= pages - 1 }, 'Next page');
  prev.addEventListener('click', () => {
    board.page--;
    renderBoardRows();
  });
  next.addEventListener('click', () => {
    board.page++;
    renderBoardRows();
  });
  pager.replaceChildren(prev, ` page ${board.page + 1} of ${pages} `, next);
}

function renderBoard(main: HTMLElement): void {
  const search = h('input', {
    type: 'search',
    name: 'search',
    value: board.search,
    placeholder: 'number or name',
  }) as HTMLInputElement;
  search.addEventListener('input', () => {
    board.search = search.value;
    board.page = 0;
    renderBoardRows();
  });
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter numbers' },
    h('label', {}, 'Search', search),
    select(
      'Business',
      'business',
      distinct((n) => n.business_id),
    ),
    select(
      'WABA',
      'waba',
      distinct((n) => n.waba_id),
    ),
    select(
      'Status',
      'status',
      distinct((n) => n.status),
    ),
    select(
      'Quality',
      'quality',
      distinct((n) => n.quality_rating),
    ),
  );
  filters.addEventListener('submit', (event) => event.preventDefault());
  const headers = COLUMNS.map(([key, label]) => {
    const button = h(
      'button',
      { type: 'button' },
      label,
      board.sort === key ? (board.desc ? ' ▼' : ' ▲') : '',
    );
    button.addEventListener('click', () => {
      board.desc = board.sort === key ? !board.desc : false;
      board.sort = key;
      render();
    });
    return h(
      'th',
      {
        scope: 'col',
        'aria-sort': board.sort === key ? (board.desc ? 'descending' : 'ascending') : undefined,
      },
      button,
    );
  });
  main.replaceChildren(
    h('h2', {}, 'Numbers'),
    filters,
    h('p', { id: 'board-summary', role: 'status' }),
    h('table', { id: 'board' }, h('thead', {}, h('tr', {}, ...headers)), h('tbody', { id: 'board-rows' })),
    h('nav', { id: 'board-pager', 'aria-label': 'Pages' }),
  );
  renderBoardRows();
}

// ---- number page ----
function controlForm(
  legend: string,
  fields: HTMLElement[],
  submit: string,
  act: (form: HTMLFormElement) => Promise<void>,
): HTMLElement {
  const message = h('p', { role: 'status', class: 'error' });
  const form = h(
    'form',
    {},
    h('fieldset', {}, h('legend', {}, legend), ...fields, h('button', { type: 'submit' }, submit)),
    message,
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.textContent = '';
    act(form).then(
      () => void renderNumber(document.getElementById('main') as HTMLElement, currentId()),
      (error: unknown) => {
        message.textContent = error instanceof Error ? error.message : String(error);
      },
    );
  });
  return form;
}

function field(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
}

function options(name: string, values: readonly string[], empty?: string): HTMLElement {
  return h(
    'select',
    { name },
    empty === undefined ? null : h('option', { value: '' }, empty),
    ...values.map((v) => h('option', { value: v }, v)),
  );
}

async function renderNumber(main: HTMLElement, id: string): Promise<void> {
  let number: BoardNumber;
  let history: HistoryLine[];
  try {
    number = await api<BoardNumber>(`/phone-numbers/${encodeURIComponent(id)}`);
    history = (await api<{ data: HistoryLine[] }>(`/phone-numbers/${encodeURIComponent(id)}/history`)).data;
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error' }, error instanceof Error ? error.message : String(error)));
    return;
  }
  numbers.set(id, number);
  const path = `/phone-numbers/${encodeURIComponent(id)}`;
  const allowed = STATUS_TRANSITIONS[number.status] ?? [];
  const status = controlForm(
    'Change status',
    [
      h('label', {}, 'New status', options('status', allowed)),
      h('label', {}, 'Reason', h('input', { name: 'reason', type: 'text' })),
      h('label', {}, 'Force (outside the lifecycle table)', h('input', { name: 'force', type: 'checkbox' })),
    ],
    'Change status',
    async (form) => {
      const force = (form.elements.namedItem('force') as HTMLInputElement).checked;
      if (force && !window.confirm('Force a status change outside the lifecycle table?')) return;
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
  );
  if (allowed.length === 0) status.querySelector('button')?.setAttribute('disabled', '');
  const quality = controlForm(
    'Quality and tier',
    [
      h('label', {}, 'Quality', options('score', QUALITY_SCORES, 'unchanged')),
      h('label', {}, 'Tier', options('tier', MESSAGING_LIMIT_TIERS, 'unchanged')),
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
  );
  const review = controlForm(
    'Name review',
    [
      h('label', {}, 'Decision', options('decision', NAME_DECISIONS)),
      h('label', {}, 'Which name', options('which', ['current', 'new'])),
    ],
    'Decide',
    async (form) => {
      await api(`${path}/name-review`, {
        method: 'POST',
        body: { decision: field(form, 'decision'), which: field(form, 'which') },
      });
    },
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
    h(
      'section',
      { 'aria-labelledby': 'controls-h' },
      h('h3', { id: 'controls-h' }, 'Controls'),
      status,
      quality,
      review,
    ),
    h(
      'section',
      { 'aria-labelledby': 'history-h' },
      h('h3', { id: 'history-h' }, 'History'),
      h(
        'table',
        { id: 'history' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Time', 'Who', 'Change', 'From', 'To', 'Reason'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...history.map((line) =>
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
    ),
    h(
      'section',
      { 'aria-labelledby': 'fields-h' },
      h('h3', { id: 'fields-h' }, 'Fields'),
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

// ---- routing and live updates ----
function currentId(): string {
  return /^#\/numbers\/([^/]+)$/.exec(location.hash)?.[1] ?? '';
}

async function render(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  const id = currentId();
  if (id !== '') return renderNumber(main, decodeURIComponent(id));
  if (!loaded) await loadAll();
  renderBoard(main);
}

function connect(): void {
  const live = document.getElementById('live') as HTMLElement;
  const events = new EventSource(`${ADMIN}/events`);
  events.addEventListener('open', () => {
    live.textContent = 'live';
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
  });
  const onNumber = (event: MessageEvent<string>): void => {
    const change = JSON.parse(event.data) as { phone_number_id?: string };
    const id = change.phone_number_id;
    if (id === undefined) return;
    void refreshNumber(id).then(() => {
      if (currentId() === id) void render();
      else if (currentId() === '') renderBoardRows();
    });
  };
  events.addEventListener('phone_number', onNumber);
  events.addEventListener('business_profile', onNumber);
  const reload = (): void => {
    loaded = false;
    void render();
  };
  events.addEventListener('state', reload);
  events.addEventListener('waba', reload);
}

window.addEventListener('hashchange', () => void render());
connect();
void render();
