import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphHandler } from '../../graph/graph-handler.ts';
import { invalidParameter, type GraphError } from '../../graph/graph-error.ts';
import { flattenParams, type GraphRequest, type GraphResponse } from '../../graph/graph-request.ts';
import type { RequestJournal } from '../../journal/request-journal.ts';

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
    RESERVED_PREFIXES.some((prefix) => url.startsWith(prefix) || `${url}/` === prefix)
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
  if (error === undefined && Buffer.byteLength(query) > MAX_QUERY_BYTES)
    error = invalidParameter('queryTooLarge');
  const params =
    error === undefined && query !== '' ? flattenParams(parseQueryString(query)) : flattenParams({});
  const method = raw.method ?? 'GET';
  if (method === 'POST') {
    const isJson = /^application\/json/i.test(raw.headers['content-type'] ?? '');
    flattenParams(isJson ? jsonParams(body) : body, params);
  }
  const ifNoneMatch = raw.headers['if-none-match'];
  return {
    method,
    path,
    params,
    authorization: raw.headers.authorization,
    ifNoneMatch,
    query,
    ...(raw.headers.host === undefined ? {} : { host: raw.headers.host }),
    ...(error === undefined ? {} : { inputError: error }),
  };
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
  raw.writeHead(response.status, flat);
  raw.end(method === 'HEAD' || response.status === 304 ? undefined : response.body);
}

export async function serveGraph(
  graph: GraphHandler,
  raw: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  inputError?: GraphError,
  journal?: RequestJournal,
): Promise<void> {
  const started = performance.now();
  const method = raw.method ?? 'GET';
  const request = method === 'OPTIONS' ? undefined : graphRequestFrom(raw, body, inputError);
  const response = request === undefined ? graph.options() : await graph.handle(request);
  writeGraphResponse(res, method, response);
  // After the response is written: the journal keeps references and derives the rest when read.
  journal?.record(method, raw.url ?? '/', request, response, performance.now() - started);
}

export async function sendGraph(
  graph: GraphHandler,
  request: FastifyRequest,
  reply: FastifyReply,
  inputError?: GraphError,
  journal?: RequestJournal,
): Promise<void> {
  reply.hijack();
  await serveGraph(graph, request.raw, reply.raw, request.body, inputError, journal);
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

/** Every path outside the reserved prefixes is Graph. */
export async function graphRoutes(
  app: FastifyInstance,
  options: { graph: GraphHandler; journal?: RequestJournal },
): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendGraph(options.graph, request, reply, undefined, options.journal);
  app.all('/', handler);
  app.all('/*', handler);
}
