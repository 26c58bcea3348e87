import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphHandler } from '../../graph/graph-handler.ts';
import { invalidParameter, type GraphError } from '../../graph/graph-error.ts';
import { flattenParams, type GraphRequest, type GraphResponse } from '../../graph/graph-request.ts';

export const MAX_QUERY_BYTES = 16_384;

function pathAndQuery(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark === -1 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

/** Builds the framework-free request; `inputError` carries a size or parse failure found earlier. */
export function toGraphRequest(request: FastifyRequest, inputError?: GraphError): GraphRequest {
  const { path, query } = pathAndQuery(request.raw.url ?? '/');
  const params = flattenParams(request.query);
  if (request.method === 'POST') flattenParams(request.body, params);
  let error = inputError;
  if (error === undefined && Buffer.byteLength(query) > MAX_QUERY_BYTES)
    error = invalidParameter('queryTooLarge');
  return {
    method: request.method,
    path,
    params,
    authorization: request.headers.authorization,
    ifNoneMatch: request.headers['if-none-match'],
    ...(error === undefined ? {} : { inputError: error }),
  };
}

/**
 * Written straight to the socket so header names keep Graph's case and order; the body is
 * ASCII-only by construction, so its length in bytes is its length in characters.
 */
export function writeGraphResponse(raw: ServerResponse, method: string, response: GraphResponse): void {
  const flat: string[] = [];
  for (const [name, value] of response.headers) flat.push(name, value);
  if (response.status !== 304 && response.status !== 204)
    flat.push('Content-Length', String(response.body.length));
  raw.writeHead(response.status, flat);
  raw.end(method === 'HEAD' || response.status === 304 ? undefined : response.body);
}

export async function sendGraph(
  graph: GraphHandler,
  request: FastifyRequest,
  reply: FastifyReply,
  inputError?: GraphError,
): Promise<void> {
  const response =
    request.method === 'OPTIONS' ? graph.options() : await graph.handle(toGraphRequest(request, inputError));
  reply.hijack();
  writeGraphResponse(reply.raw, request.method, response);
}

/** Every path outside the reserved prefixes is Graph. */
export async function graphRoutes(app: FastifyInstance, options: { graph: GraphHandler }): Promise<void> {
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendGraph(options.graph, request, reply);
  app.all('/', handler);
  app.all('/*', handler);
}
