import type { FastifyInstance } from 'fastify';
import { isNativeVersion } from '../../contract/versions.ts';
import { openApiDocument } from '../../graph/openapi-document.ts';
import { sendAdminError } from '../admin/admin-errors.ts';

/**
 * `GET /__openapi.json[?version=v21.0]` (graph-api.md intro): the OpenAPI 3.1 document of the Graph
 * surface, naming this server; not Graph, no token.
 */
export async function openApiRoutes(app: FastifyInstance, options: { publicUrl?: string }): Promise<void> {
  app.get<{ Querystring: { version?: string } }>('/__openapi.json', async (request, reply) => {
    const version = request.query.version;
    if (version !== undefined && !isNativeVersion(version)) {
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `version must be a served version, got ${version}`,
      );
    }
    const serverUrl = options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
    const document = openApiDocument({ serverUrl, ...(version === undefined ? {} : { version }) });
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(document, null, 2) + '\n');
  });
}
