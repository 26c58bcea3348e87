import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendAdminError } from '../admin/admin-errors.ts';

/** Built by `npm run build` (scripts/build-dashboard.ts); the same place from src/ and from dist/. */
export const DASHBOARD_DIR = new URL('../../../dist/dashboard/', import.meta.url);

const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** Strict: only this origin's script, style and API; no inline script, no framing, no plugins. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface DashboardOptions {
  /** The admin plane's access rule: the dashboard is refused to whoever the admin plane refuses. */
  readonly admitted: (request: FastifyRequest) => boolean;
}

/** `/__dashboard/`: the web UI, under the admin plane's access rule (docs/dashboard.md). */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const cache = new Map<string, Buffer>();
  app.addHook('onRequest', async (request, reply) => {
    if (!options.admitted(request)) return sendAdminError(reply, 404, 'not_found', 'Not found');
    return undefined;
  });
  const serve = async (file: string, reply: FastifyReply): Promise<FastifyReply> => {
    const type = ASSETS[file];
    if (type === undefined) return sendAdminError(reply, 404, 'not_found', 'Not found');
    let body = cache.get(file);
    if (body === undefined) {
      try {
        body = await readFile(new URL(file, DASHBOARD_DIR));
      } catch {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run build`.\n');
      }
      cache.set(file, body);
    }
    return reply
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type(type)
      .send(body);
  };
  const readOnly = (method: string): boolean => method === 'GET' || method === 'HEAD';
  app.all('/__dashboard', async (request, reply) =>
    readOnly(request.method)
      ? reply.redirect('/__dashboard/')
      : sendAdminError(reply, 404, 'not_found', 'Not found'),
  );
  app.all<{ Params: { '*': string } }>('/__dashboard/*', async (request, reply) => {
    if (!readOnly(request.method)) return sendAdminError(reply, 404, 'not_found', 'Not found');
    return serve(request.params['*'] === '' ? 'index.html' : request.params['*'], reply);
  });
}
