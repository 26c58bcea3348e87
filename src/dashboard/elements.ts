// DOM building for the dashboard: text always goes in as text nodes, never as HTML.

export type Child = Node | string | null | undefined | false;

/** Builds an element; attributes set to `false`/`undefined` are left out, `true` is a bare attribute. */
export function h(
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

/** Colour plus a text label: meaning never rests on colour alone. */
const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = {
  CONNECTED: 'good',
  AVAILABLE: 'good',
  GREEN: 'good',
  APPROVED: 'good',
  delivered: 'good',
  active: 'good',
  FLAGGED: 'warn',
  RESTRICTED: 'warn',
  RATE_LIMITED: 'warn',
  LIMITED: 'warn',
  YELLOW: 'warn',
  PENDING_REVIEW: 'warn',
  pending: 'warn',
  pending_verification: 'warn',
  PENDING: 'neutral',
  DISCONNECTED: 'bad',
  BANNED: 'bad',
  BLOCKED: 'bad',
  RED: 'bad',
  DECLINED: 'bad',
  DELETED: 'bad',
  failed: 'bad',
};

export function badge(value: string | undefined | null): HTMLElement {
  const text = value ?? '—';
  return h('span', { class: `badge ${TONE[text] ?? 'neutral'}` }, text);
}

/** A table with a header row of column names and the given body rows. */
export function table(attrs: Record<string, string>, columns: string[], rows: HTMLElement[]): HTMLElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column)))),
    h('tbody', {}, ...rows),
  );
}

/** A titled section labelled by its heading. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { 'aria-labelledby': `${id}-h` }, h('h3', { id: `${id}-h` }, title), ...children);
}

/** `2026-11-24T12:00:00.000Z` as `2026-11-24 12:00:00` in a `<time>`. */
export function time(iso: string | null): HTMLElement | string {
  return iso === null ? '' : h('time', { datetime: iso }, iso.replace('T', ' ').slice(0, 19));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
