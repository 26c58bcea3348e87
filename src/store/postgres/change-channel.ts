import pg from 'pg';
import type { ChangeNotice } from '../../events/change-feed.ts';
import type { InstanceChangeSource, InstanceNotice } from '../store.ts';
import type { Query } from './database.ts';

/** The LISTEN/NOTIFY channel every instance on one database sends its committed changes on. */
export const CHANGE_CHANNEL = 'phonegraph_changes';
/** How the LISTEN connections show in `pg_stat_activity` (operators and tests can find them). */
export const LISTENER_APPLICATION_NAME = 'phonegraph-listen';

/**
 * Inside the changing transaction: one notification per notice, delivered to the other instances only
 * if the transaction commits (PostgreSQL sends NOTIFY at commit). History lines stay out of the payload
 * (8000-byte limit; nobody else needs them).
 */
export async function notifyChanges(
  query: Query,
  from: string,
  notices: readonly ChangeNotice[],
): Promise<void> {
  if (notices.length === 0) return;
  const payloads = notices.map((notice) => {
    const { history, ...rest } = notice;
    void history;
    return JSON.stringify({ from, notice: rest } satisfies InstanceNotice);
  });
  await query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CHANGE_CHANNEL, payloads]);
}

export interface ChangeListenerOptions {
  /** First reconnect after this long, doubling up to `retryCapMs`. */
  readonly retryBaseMs?: number;
  readonly retryCapMs?: number;
}

/**
 * One dedicated connection per instance that LISTENs on the change channel and hands other instances'
 * notices to its subscribers; its own are ignored. A lost connection is reported at once (so caches are
 * dropped and bypassed) and retried with backoff until it is back.
 */
export class PostgresChangeListener implements InstanceChangeSource {
  readonly #url: string;
  readonly #instanceId: string;
  readonly #retryBaseMs: number;
  readonly #retryCapMs: number;
  readonly #subscribers = new Set<(notice: ChangeNotice) => void>();
  readonly #connectionListeners: ((connected: boolean) => void)[] = [];
  #client: pg.Client | undefined;
  #connected = false;
  #closed = false;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(url: string, instanceId: string, options: ChangeListenerOptions = {}) {
    this.#url = url;
    this.#instanceId = instanceId;
    this.#retryBaseMs = options.retryBaseMs ?? 100;
    this.#retryCapMs = options.retryCapMs ?? 5000;
    this.#retryMs = this.#retryBaseMs;
  }

  get connected(): boolean {
    return this.#connected;
  }

  subscribe(publish: (notice: ChangeNotice) => void): () => void {
    this.#subscribers.add(publish);
    return () => this.#subscribers.delete(publish);
  }

  onConnection(listener: (connected: boolean) => void): void {
    this.#connectionListeners.push(listener);
  }

  /** Connects once; when that fails, keeps retrying in the background (the instance runs uncached). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#url,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload !== undefined) this.#receive(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch {
      await client.end().catch(() => {});
      this.#schedule();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#retryMs = this.#retryBaseMs;
    this.#setConnected(true);
  }

  #receive(payload: string): void {
    let parsed: InstanceNotice;
    try {
      parsed = JSON.parse(payload) as InstanceNotice;
    } catch {
      return;
    }
    if (parsed.from === this.#instanceId || typeof parsed.notice?.kind !== 'string') return;
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(parsed.notice);
      } catch {
        // one broken subscriber must not keep the others from hearing about the change
      }
    }
  }

  #lost(client: pg.Client): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    void client.end().catch(() => {});
    this.#setConnected(false);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryCapMs, this.#retryMs * 2);
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const listener of this.#connectionListeners) listener(connected);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#connected = false;
    this.#subscribers.clear();
    await client?.end().catch(() => {});
  }
}
