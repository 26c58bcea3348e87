// `#/`: every number of every business and WABA, filtered, searched, sorted and paged; live.
import { api, enc } from '../admin-api.ts';
import { healthReason, type BoardNumber } from '../admin-types.ts';
import { coalesce } from '../coalesce.ts';
import { badge, h, time } from '../elements.ts';
import type { View } from '../view.ts';

const PAGE_SIZE = 200;
/** At most this often the board re-reads the numbers that changed and redraws (a load test's changes). */
const BOARD_REFRESH_MS = 300;

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
    const query = after === undefined ? '' : `&after=${enc(after)}`;
    const page = await api<{ data: BoardNumber[]; next_after?: string }>(`/phone-numbers?limit=5000${query}`);
    for (const number of page.data) numbers.set(number.id, number);
    if (page.next_after === undefined) break;
    after = page.next_after;
  }
  loaded = true;
}

async function refreshNumber(id: string): Promise<void> {
  try {
    numbers.set(id, await api<BoardNumber>(`/phone-numbers/${enc(id)}`));
  } catch {
    numbers.delete(id);
  }
}

/** Numbers changed since the last refresh: a burst of changes becomes one round of reads and one render. */
const changed = new Set<string>();
const refreshChanged = coalesce(() => {
  const ids = [...changed];
  changed.clear();
  // renderRows draws nothing when another view is shown (the board's table is not in the page).
  void Promise.all(ids.map(refreshNumber)).then(renderRows);
}, BOARD_REFRESH_MS);

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
    renderRows();
  });
  return h('label', {}, label, control);
}

function filtered(): BoardNumber[] {
  const term = board.search.trim().toLowerCase();
  const digits = term.replace(/\D/g, '');
  const rows = [...numbers.values()].filter(
    (n) =>
      (board.business === '' || n.business_id === board.business) &&
      (board.waba === '' || n.waba_id === board.waba) &&
      (board.status === '' || n.status === board.status) &&
      (board.quality === '' || n.quality_rating === board.quality) &&
      (term === '' ||
        n.display_phone_number.toLowerCase().includes(term) ||
        (digits !== '' && n.display_phone_number.replace(/\D/g, '').includes(digits)) ||
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

function row(n: BoardNumber): HTMLElement {
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
    h('td', {}, time(n.last_change_at)),
  );
}

/** The record each drawn row shows: a redraw replaces only the rows whose record changed. */
const drawn = new WeakMap<Element, BoardNumber>();

/**
 * Draws `page` into the table body. When the same numbers are shown in the same order (a live change
 * that moved nothing), only the changed rows are replaced, so a stream of changes costs the browser a
 * row each rather than the whole table.
 */
function drawRows(body: HTMLElement, page: readonly BoardNumber[]): void {
  const current = body.children;
  const sameOrder =
    current.length === page.length &&
    page.every((n, i) => (current[i] as HTMLElement | undefined)?.dataset.id === n.id);
  if (!sameOrder) {
    const fresh = page.map(row);
    fresh.forEach((tr, i) => drawn.set(tr, page[i] as BoardNumber));
    body.replaceChildren(...fresh);
    return;
  }
  page.forEach((n, i) => {
    const tr = current[i] as HTMLElement;
    if (drawn.get(tr) === n) return;
    const fresh = row(n);
    drawn.set(fresh, n);
    tr.replaceWith(fresh);
  });
}

function renderRows(): void {
  const body = document.getElementById('board-rows');
  const summary = document.getElementById('board-summary');
  const pager = document.getElementById('board-pager');
  if (body === null || summary === null || pager === null) return;
  const rows = filtered();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  board.page = Math.min(board.page, pages - 1);
  drawRows(body, rows.slice(board.page * PAGE_SIZE, (board.page + 1) * PAGE_SIZE));
  summary.textContent = `${rows.length} of ${numbers.size} numbers`;
  const prev = h('button', { type: 'button', disabled: board.page === 0 }, 'Previous page');
  const next = h('button', { type: 'button', disabled: board.page >= pages - 1 }, 'Next page');
  prev.addEventListener('click', () => {
    board.page--;
    renderRows();
  });
  next.addEventListener('click', () => {
    board.page++;
    renderRows();
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
    renderRows();
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
      renderBoard(main);
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
  renderRows();
}

export const boardView: View = {
  async render(main) {
    if (!loaded) await loadAll();
    renderBoard(main);
  },
  event(kind, event, shown) {
    if (kind === 'state' || kind === 'waba') {
      loaded = false;
      if (shown) void loadAll().then(() => renderBoard(document.getElementById('main') as HTMLElement));
      return;
    }
    if (kind !== 'phone_number' && kind !== 'business_profile') return;
    const id = event.phone_number_id;
    if (id === undefined || !loaded) return;
    changed.add(id);
    refreshChanged();
  },
};
