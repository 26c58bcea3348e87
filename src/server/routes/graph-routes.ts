import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphHandler } from '../../graph/graph-handler.ts';
import { invalidParameter, type GraphError } from '../../graph/graph-error.ts';
import type { RequestJournal } from '../../journal/request-journal.ts';
import type { RequestLog } from '../request-log.ts';
import { flattenParams, type GraphRequest, type GraphResponse } from '../../graph/graph-request.ts';

export const MAX_QUERY_BYTES = 16_384;

/**
 * A JSON body's arrays are values (`"batch":[…]`, `"sort":[…]`), not repeated keys: they reach the
 * parameters as JSON text, like objects do. (Form bodies repeat keys instead; the last one wins.)
 */
function jsonParams(parsed: unknown): unknown {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>))
    out[key] = Array.isArray(value) ? JSON.stringify(value) : value;
  return out;
}

/** Paths that are not Graph (graph-api.md intro): the admin plane, QR images, the dashboard. */
const RESERVED_PREFIXES = ['/__admin/', '/__qr/', '/__dashboard/'];

export function isReservedPath(url: string): boolean {
  return (
    url.startsWith('/__') &&
    (RESERVED_PREFIXES.some((prefix) => url.startsWith(prefix) || `${url}/` === prefix) ||
      /^\/__openapi\.json(?:\?|$)/.test(url))
  );
}

/**
 * Builds the framework-free request from the raw message, so the Fastify route and the bodyless fast
 * path read parameters identically; `inputError` carries a size or parse failure found earlier.
 */
export function graphRequestFrom(raw: IncomingMessage, body: unknown, inputError?: GraphError): GraphRequest {
  const url = raw.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  let error = inputError;
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long query needs counting.
  if (error === undefined && query.length * 3 > MAX_QUERY_BYTES && Buffer.byteLength(query) > MAX_QUERY_BYTES)
    error = invalidParameter('queryTooLarge');
  const params =
    error === undefined && query !== ''
      ? lastValues(parseQueryString(query))
      : (Object.create(null) as Record<string, string>);
  const method = raw.method ?? 'GET';
  if (method === 'POST') {
    const isJson = /^application\/json/i.test(raw.headers['content-type'] ?? '');
    flattenParams(isJson ? jsonParams(body) : body, params);
  }
  const headers = raw.headers;
  const request: { -readonly [K in keyof GraphRequest]: GraphRequest[K] } = {
    method,
    path,
    params,
    authorization: headers.authorization,
    ifNoneMatch: headers['if-none-match'],
    query,
  };
  if (headers.host !== undefined) request.host = headers.host;
  if ((raw.socket as { encrypted?: boolean } | null)?.encrypted === true) request.secure = true;
  if (error !== undefined) request.inputError = error;
  return request;
}

/**
 * A parsed query string (null prototype, string or string[] values) turned in place into the
 * parameters `flattenParams` would give: a repeated key keeps its last value.
 */
function lastValues(parsed: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const key in parsed) {
    const value = parsed[key];
    if (Array.isArray(value)) parsed[key] = value[value.length - 1] as string;
  }
  return parsed as Record<string, string>;
}

/**
 * Written straight to the socket so header names keep Graph's case and order; the body is
 * ASCII-only by construction, so its length in bytes is its length in characters.
 */
export function writeGraphResponse(raw: ServerResponse, method: string, response: GraphResponse): void {
  if (response.drop === true) {
    raw.socket?.destroy();
    raw.destroy();
    return;
  }
  const flat: string[] = [];
  for (const [name, value] of response.headers) flat.push(name, value);
  if (response.status !== 304 && response.status !== 204)
    flat.push('Content-Length', String(response.body.length));
  if (response.close === true) flat.push('Connection', 'close');
  raw.writeHead(response.status, flat);
  raw.end(method === 'HEAD' || response.status === 304 ? undefined : response.body);
}

/** The route's dependencies: the protocol handler, the request log and the request journal. */
export interface GraphRouteDeps {
  readonly graph: GraphHandler;
  readonly log: RequestLog;
  readonly journal?: RequestJournal;
}

/**
 * Answers one Graph request: synchronously when the handler answers synchronously (a cached read),
 * else once its promise settles. Whatever throws on the way (the request is ours, not the framework's,
 * by now) still gets a code-1 envelope and a closed connection: never a hang.
 */
export function serveGraph(
  deps: GraphRouteDeps,
  raw: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  inputError?: GraphError,
): void | Promise<void> {
  const startedAt = deps.log.start();
  const journalStart = deps.journal === undefined ? 0 : performance.now();
  const method = raw.method ?? 'GET';
  let request: GraphRequest | undefined;
  let answer: GraphResponse | Promise<GraphResponse>;
  try {
    if (method === 'OPTIONS') answer = deps.graph.options();
    else {
      request = graphRequestFrom(raw, body, inputError);
      answer = deps.graph.handle(request);
    }
  } catch (error) {
    answer = deps.graph.unexpected(error);
  }
  if (answer instanceof Promise) {
    const pending = request;
    return answer.then(
      (response) => answerGraph(deps, raw, res, method, pending, response, startedAt, journalStart),
      (error: unknown) =>
        answerGraph(deps, raw, res, method, pending, deps.graph.unexpected(error), startedAt, journalStart),
    );
  }
  answerGraph(deps, raw, res, method, request, answer, startedAt, journalStart);
}

function answerGraph(
  deps: GraphRouteDeps,
  raw: IncomingMessage,
  res: ServerResponse,
  method: string,
  request: GraphRequest | undefined,
  response: GraphResponse,
  startedAt: number,
  journalStart: number,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeGraphResponse(res, method, response);
  // After the response is written: the journal keeps references and derives the rest when read.
  deps.journal?.record(method, raw.url ?? '/', request, response, performance.now() - journalStart);
  if (deps.log.enabled) {
    deps.log.write({
      plane: 'graph',
      method,
      url: raw.url ?? '/',
      status: response.drop === true ? 0 : response.status,
      startedAt,
      code: response.errorCode,
      subcode: response.errorSubcode,
      fbtraceId: response.traceId,
    });
  }
}

export async function sendGraph(
  deps: GraphRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  inputError?: GraphError,
): Promise<void> {
  reply.hijack();
  await serveGraph(deps, request.raw, reply.raw, request.body, inputError);
}

/**
 * Requests without a body (GET, HEAD, OPTIONS) on Graph paths skip Fastify: there is nothing to
 * parse or bound, and the read path is the hot path. Everything else goes through Fastify, whose
 * Graph route calls the same `serveGraph`.
 */
export function isBodylessGraphRequest(raw: IncomingMessage): boolean {
  const method = raw.method;
  return (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && !isReservedPath(raw.url ?? '/');
}

/** The methods the framework routes; Node's parser knows more (SEARCH, COPY, PROPFIND, …). */
const ROUTED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A Graph path with a method the framework has no route for: answered by the Graph handler (100/33
 * for that method, after the token checks) without reading a body, never by a framework 404.
 */
export function isUnroutedGraphRequest(raw: IncomingMessage): boolean {
  return !ROUTED_METHODS.has(raw.method ?? 'GET') && !isReservedPath(raw.url ?? '/');
}

/** Every path outside the reserved prefixes is Graph. */
export async function graphRoutes(app: FastifyInstance, options: GraphRouteDeps): Promise<void> {
  const deps: GraphRouteDeps = options;
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendGraph(deps, request, reply);
  app.all('/', handler);
  app.all('/*', handler);
}
