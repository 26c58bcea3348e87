// The dashboard: plain TypeScript and the DOM, bundled by esbuild (docs/decisions/0006-dashboard-stack.md).
// It reads and changes state only through the admin API and listens to its event stream. This module
// routes `#/…` to a view and hands every event of the stream to the views.
import { ADMIN } from './admin-api.ts';
import type { ChangeEvent } from './admin-types.ts';
import type { View } from './view.ts';
import { boardView } from './views/board.ts';
import { numberPageView } from './views/number-page.ts';
import { rateLimitsView } from './views/rate-limits.ts';
import { requestsView } from './views/requests.ts';
import { settingsView } from './views/settings.ts';
import { webhooksView } from './views/webhooks.ts';

const EVENT_KINDS = [
  'phone_number',
  'waba',
  'business_profile',
  'qr_code',
  'webhook_subscription',
  'delivery',
  'fault_rule',
  'clock',
  'rate_limit',
  'state',
  'request',
];

/** Route patterns, first match wins; the capture is the view's parameter. */
const ROUTES: [RegExp, View][] = [
  [/^#\/numbers\/([^/]+)$/, numberPageView],
  [/^#\/requests(?:\/(\d+))?$/, requestsView],
  [/^#\/webhooks$/, webhooksView],
  [/^#\/rate-limits$/, rateLimitsView],
  [/^#\/settings$/, settingsView],
  [/^(?:#\/?)?$/, boardView],
];

function route(): { view: View; param: string } {
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(location.hash);
    if (match !== null) return { view, param: decodeURIComponent(match[1] ?? '') };
  }
  return { view: boardView, param: '' };
}

/** Marks the nav link of the shown view (`aria-current`), by the first segment of the route. */
function markNav(): void {
  const segment = /^#\/([^/]*)/.exec(location.hash)?.[1] ?? '';
  const current = segment === 'numbers' ? '' : segment;
  for (const link of document.querySelectorAll('header nav a')) {
    const target = /^#\/([^/]*)/.exec(link.getAttribute('href') ?? '')?.[1] ?? '';
    if (target === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  const { view, param } = route();
  markNav();
  await view.render(main, param);
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
  for (const kind of EVENT_KINDS) {
    events.addEventListener(kind, (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as ChangeEvent;
      const shown = route().view;
      for (const [, view] of ROUTES) view.event?.(kind, event, view === shown);
    });
  }
}

window.addEventListener('hashchange', () => {
  void render().then(() => document.getElementById('main')?.focus({ preventScroll: true }));
});
connect();
void render();
