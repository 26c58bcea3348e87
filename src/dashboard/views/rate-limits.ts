// `#/rate-limits`: each (app, WABA) window's usage against its limit, and its calls over the hour.
import { api, enc } from '../admin-api.ts';
import type { RateLimitRow } from '../admin-types.ts';
import { coalesce } from '../coalesce.ts';
import { errorText, h, section } from '../elements.ts';
import type { View } from '../view.ts';

interface Timeline {
  bucket_minutes: number;
  data: { until: string; calls: number }[];
}

const SVG = 'http://www.w3.org/2000/svg';
const BAR = 18;
const GAP = 4;
const HEIGHT = 60;

function svg(tag: string, attrs: Record<string, string>, ...children: (Node | string)[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Bars of the calls per bucket, scaled to the busiest bucket; the label reads the numbers out. */
function chart(timeline: Timeline): SVGElement {
  const counts = timeline.data.map((bucket) => bucket.calls);
  const top = Math.max(1, ...counts);
  const width = counts.length * (BAR + GAP);
  const label = `Calls per ${timeline.bucket_minutes} minutes over the last hour, oldest first: ${counts.join(', ')}`;
  return svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${HEIGHT + 12}`,
      width: String(width),
      height: String(HEIGHT + 12),
      role: 'img',
      'aria-label': label,
      class: 'chart',
    },
    svg('title', {}, label),
    ...counts.map((count, i) => {
      const height = Math.round((count / top) * HEIGHT);
      return svg('rect', {
        x: String(i * (BAR + GAP)),
        y: String(HEIGHT - height),
        width: String(BAR),
        height: String(Math.max(height, count > 0 ? 1 : 0)),
        class: 'bar',
      });
    }),
    svg('line', {
      x1: '0',
      y1: String(HEIGHT + 0.5),
      x2: String(width),
      y2: String(HEIGHT + 0.5),
      class: 'axis',
    }),
    svg('text', { x: '0', y: String(HEIGHT + 11), class: 'tick' }, '−60 min'),
    svg('text', { x: String(width), y: String(HEIGHT + 11), class: 'tick end' }, 'now'),
  );
}

function gauge(row: RateLimitRow): HTMLElement {
  const id = `gauge-${row.app}-${row.waba}`;
  return h(
    'p',
    { class: 'gauge' },
    h('label', { for: id }, `Usage of app ${row.app} on WABA ${row.waba}`),
    h('meter', {
      id,
      min: '0',
      max: String(row.limit),
      low: String(Math.floor(row.limit * 0.75)),
      high: String(Math.floor(row.limit * 0.9)),
      optimum: '0',
      value: String(row.calls),
    }),
    ` ${row.calls} of ${row.limit} calls (${row.call_count}%)`,
    row.estimated_time_to_regain_access > 0 ? `, full: wait ${row.estimated_time_to_regain_access} min` : '',
  );
}

async function card(row: RateLimitRow, changed: () => void): Promise<HTMLElement> {
  const timeline = await api<Timeline>(`/rate-limits/timeline?app=${enc(row.app)}&waba=${enc(row.waba)}`);
  const message = h('p', { role: 'status' });
  const act = (how: 'exhaust' | 'reset'): HTMLElement => {
    const button = h('button', { type: 'button' }, how === 'exhaust' ? 'Exhaust' : 'Reset');
    button.addEventListener('click', () => {
      message.textContent = '';
      api('/rate-limits', { method: 'POST', body: { [how]: { app: row.app, waba: row.waba } } }).then(
        changed,
        (error) => {
          message.textContent = errorText(error);
        },
      );
    });
    return button;
  };
  return h(
    'li',
    { 'data-key': `${row.app}:${row.waba}` },
    h('h3', {}, `App ${row.app} · WABA ${row.waba}`),
    gauge(row),
    chart(timeline),
    h('p', {}, act('exhaust'), ' ', act('reset')),
    message,
  );
}

async function renderRows(): Promise<void> {
  const holder = document.getElementById('rate-limit-rows');
  if (holder === null) return;
  try {
    const rows = (await api<{ data: RateLimitRow[] }>('/rate-limits')).data;
    const cards = await Promise.all(rows.map((row) => card(row, () => void renderRows())));
    holder.replaceChildren(
      rows.length === 0
        ? h('p', {}, 'No calls in the window of any (app, WABA) pair.')
        : h('ul', { class: 'rate-limits' }, ...cards),
    );
  } catch (error) {
    holder.replaceChildren(h('p', { class: 'error' }, errorText(error)));
  }
}

const refresh = coalesce(() => void renderRows(), 1000);

export const rateLimitsView: View = {
  async render(main) {
    main.replaceChildren(
      h('h2', {}, 'Rate limits'),
      h('p', {}, 'Business Use Case windows: calls in the last hour per (app, WABA) against the limit.'),
      section('windows', 'Windows with calls', h('div', { id: 'rate-limit-rows' })),
    );
    await renderRows();
  },
  event(kind, _event, shown) {
    if (shown && (kind === 'rate_limit' || kind === 'request' || kind === 'clock' || kind === 'state'))
      refresh();
  },
};
