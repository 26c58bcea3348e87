import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminAccess } from '../admin/admin-access.ts';
import { sendAdminError } from '../admin/admin-errors.ts';
import { isOwnOrigin } from '../admin/admin-gate.ts';
import { GraphError } from '../../graph/graph-error.ts';

/** Built by `npm run build` (scripts/build-dashboard.ts); the same place from src/ and from dist/. */
export const DASHBOARD_DIR = new URL('../../../dist/dashboard/', import.meta.url);

const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** What the token page needs before the browser holds a session: the page itself and its stylesheet. */
const TOKEN_PAGE = 'token.html';
const TOKEN_STYLE = 'token.css';

/**
 * Strict: only this origin's script, style and API; no inline script, no framing, no plugins; forms
 * post only to this origin (the logout button).
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The token page runs no script at all: a plain form posted to this origin. */
export const TOKEN_PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * `same-origin`, not `no-referrer`: under `no-referrer` a browser sends `Origin: null` with a form
 * post, and the login and logout forms must carry this server's own Origin. Nothing leaves the origin.
 */
export const DASHBOARD_REFERRER_POLICY = 'same-origin';

/** The token page's answer to a wrong token (the page shows it; no hint of how close it was). */
export const WRONG_TOKEN_MESSAGE = 'That is not the admin token.';

const TOKEN_ERROR_MARKER = '<!-- token-error -->';

/** Shown in the dashboard's header to a browser that holds a session cookie. */
export const LOGOUT_FORM =
  '<form method="post" action="logout" class="logout"><button type="submit">Log out</button></form>';

export interface DashboardOptions {
  /** The admin plane's access rule: the dashboard is refused to whoever the admin plane refuses. */
  readonly access: AdminAccess;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `/__dashboard/`: the web UI, under the admin plane's access rule (docs/dashboard.md). */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const { access } = options;
  const cache = new Map<string, Buffer>();
  const notBuilt = (reply: FastifyReply): FastifyReply =>
    reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send('The dashboard is not built: run `npm run build`.\n');
  const load = async (file: string): Promise<Buffer | undefined> => {
    let body = cache.get(file);
    if (body === undefined) {
      try {
        body = await readFile(new URL(file, DASHBOARD_DIR));
      } catch {
        return undefined;
      }
      cache.set(file, body);
    }
    return body;
  };
  const headers = (reply: FastifyReply, csp: string): FastifyReply =>
    reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', DASHBOARD_REFERRER_POLICY)
      .header('cache-control', 'no-cache');

  const serve = async (file: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const type = ASSETS[file];
    if (type === undefined) return sendAdminError(reply, 404, 'not_found', 'Not found');
    const body = await load(file);
    if (body === undefined) return notBuilt(reply);
    const page =
      file === 'index.html' && (await access.credential(request)) === 'cookie'
        ? body.toString('utf8').replace('</header>', `${LOGOUT_FORM}</header>`)
        : body;
    return headers(reply, DASHBOARD_CSP).type(type).send(page);
  };

  const tokenPage = async (reply: FastifyReply, error?: string): Promise<FastifyReply> => {
    const body = await load(TOKEN_PAGE);
    if (body === undefined) return notBuilt(reply);
    const message =
      error === undefined ? '' : `<p class="error" id="token-error" role="alert">${escapeHtml(error)}</p>`;
    return headers(reply, TOKEN_PAGE_CSP)
      .header('cache-control', 'no-store')
      .code(error === undefined ? 200 : 401)
      .type('text/html; charset=utf-8')
      .send(body.toString('utf8').replace(TOKEN_ERROR_MARKER, message));
  };

  /** Admitted by the admin plane's rule; else, with `--admin-token`, `token` (show the token page). */
  const judge = async (request: FastifyRequest): Promise<'admit' | 'token' | 'hide'> => {
    if ((await access.verdict(request)) !== 'hide') return 'admit';
    return access.tokenRequired ? 'token' : 'hide';
  };
  /** A form post must come from a page of this server (an absent Origin is a non-browser client). */
  const ownOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    return origin === undefined || isOwnOrigin(origin, request, access.gate);
  };
  const readOnly = (method: string): boolean => method === 'GET' || method === 'HEAD';
  const FORM_POSTS = new Set(['/__dashboard/login', '/__dashboard/logout']);

  // Anything but a page load or the two form posts is refused before its body is read.
  app.addHook('onRequest', async (request, reply) => {
    if (readOnly(request.method)) return undefined;
    const path = request.url.split('?', 1)[0] ?? '';
    if (request.method === 'POST' && FORM_POSTS.has(path)) return undefined;
    return sendAdminError(reply, 404, 'not_found', 'Not found');
  });
  // The form posts' bodies are parsed by the shared parsers; their failures are answered as the admin
  // plane answers them, never as a Graph envelope.
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    // As the admin plane words it (the shared JSON parser reports unparsable or too deep bodies).
    if (error instanceof GraphError)
      return sendAdminError(reply, 400, 'validation_failed', 'Request body is not valid JSON');
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendAdminError(reply, 413, 'validation_failed', 'Request body is too large');
    if (error.statusCode !== undefined && error.statusCode < 500)
      return sendAdminError(reply, error.statusCode, 'validation_failed', 'Bad request');
    request.log.error({ err: error }, 'dashboard request failed');
    return sendAdminError(reply, 500, 'internal_error', 'Internal error');
  });

  app.all('/__dashboard', async (request, reply) => {
    if (!readOnly(request.method) || (await judge(request)) === 'hide')
      return sendAdminError(reply, 404, 'not_found', 'Not found');
    return reply.redirect('/__dashboard/');
  });

  // The token page posts here: a right token sets the session cookie, a wrong one re-shows the page.
  app.post<{ Body: unknown }>('/__dashboard/login', async (request, reply) => {
    if (!access.tokenRequired || !ownOrigin(request))
      return sendAdminError(reply, 404, 'not_found', 'Not found');
    const body = request.body as { token?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token : '';
    if (!access.tokenMatches(token)) return tokenPage(reply, WRONG_TOKEN_MESSAGE);
    return reply
      .header('set-cookie', await access.sessionCookie(request))
      .header('cache-control', 'no-store')
      .redirect('/__dashboard/', 303);
  });

  // Clears the cookie (harmless to anyone, but only from this server's pages: no cross-site logout).
  app.post('/__dashboard/logout', async (request, reply) => {
    if (!access.tokenRequired || !ownOrigin(request))
      return sendAdminError(reply, 404, 'not_found', 'Not found');
    return reply
      .header('set-cookie', access.clearedCookie(request))
      .header('cache-control', 'no-store')
      .redirect('/__dashboard/', 303);
  });

  app.all<{ Params: { '*': string } }>('/__dashboard/*', async (request, reply) => {
    const file = request.params['*'] === '' ? 'index.html' : request.params['*'];
    const verdict = readOnly(request.method) ? await judge(request) : 'hide';
    if (verdict === 'admit') return serve(file, request, reply);
    if (verdict === 'token' && file === 'index.html') return tokenPage(reply);
    if (verdict === 'token' && file === TOKEN_STYLE) {
      const body = await load(TOKEN_STYLE);
      if (body === undefined) return notBuilt(reply);
      return headers(reply, TOKEN_PAGE_CSP).type('text/css; charset=utf-8').send(body);
    }
    return sendAdminError(reply, 404, 'not_found', 'Not found');
  });
}
