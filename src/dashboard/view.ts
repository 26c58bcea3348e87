import type { ChangeEvent } from './admin-types.ts';

/** One page of the dashboard, shown at a hash route (`#/…`). */
export interface View {
  /** Fills `main`; `param` is the rest of the route (a number id, a journal entry id) or ''. */
  render(main: HTMLElement, param: string): Promise<void>;
  /** Each frame of `GET /__admin/events` (`kind` is its event name); `shown` while on screen. */
  event?(kind: string, event: ChangeEvent, shown: boolean): void;
}
