import type { FastifyInstance } from 'fastify';
import type { ChangeEventMessage } from '../../../events/change-feed.ts';
import type { AdminDeps } from '../admin-deps.ts';

/** A comment line every this often keeps proxies and the browser from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** How often, at most, the stream names the newest journal entry. */
export const REQUEST_TAIL_MS = 250;

function frame(event: ChangeEventMessage): string {
  return `id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /__admin/events`: Server-Sent Events of every committed change (control-plane.md §3), and
 * `event: request` naming the newest journal entry (the journal's live tail).
 */
export function eventsRoutes(app: FastifyInstance, deps: AdminDeps): void {
  // Open streams never go idle: closing the server ends them first, or shutdown would wait on them.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get('/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': phonegraph events\nretry: 2000\n\n');
    const stopChanges = deps.store.changes.subscribe((event) => res.write(frame(event)));
    // The journal's tail is coalesced: at most one frame per REQUEST_TAIL_MS naming the newest entry,
    // so an open dashboard adds no socket write per Graph request.
    let newest = 0;
    let tail: NodeJS.Timeout | undefined;
    const stopRequests = deps.journal.onRecord((id) => {
      newest = id;
      tail ??= setTimeout(() => {
        tail = undefined;
        res.write(`event: request\ndata: {"id":${newest}}\n\n`);
      }, REQUEST_TAIL_MS);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const stop = (): void => {
      clearInterval(heartbeat);
      if (tail !== undefined) clearTimeout(tail);
      stopChanges();
      stopRequests();
    };
    request.raw.on('close', stop);
    res.on('close', stop);
    const end = (): void => {
      stop();
      res.end();
    };
    open.add(end);
    res.on('close', () => open.delete(end));
  });
}
