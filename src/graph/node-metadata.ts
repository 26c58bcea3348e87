import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import type { NodeTypeDescriptor } from './field-selection.ts';
import type { GraphRequest } from './graph-request.ts';
import { renderBody, type RenderedBody } from './rendered-body.ts';

/** `metadata=1` (graph-api.md §6): asked for on this request? */
export function wantsMetadata(request: GraphRequest): boolean {
  const value = request.params.metadata;
  return value === '1' || value === 'true';
}

function servedAt(field: { since: GraphVersion; until?: GraphVersion }, version: GraphVersion): boolean {
  const index = versionIndex(version);
  return (
    index >= versionIndex(field.since) && (field.until === undefined || index <= versionIndex(field.until))
  );
}

/**
 * The `metadata` object of a node read: every field the node has at the served version in the field
 * table's order (`name`, `description`, `type`), the node type in lower case, and each edge as an
 * absolute URL built like paging links (the base, the served version, the request's query token).
 */
export function nodeMetadata(
  node: NodeTypeDescriptor,
  objectId: string,
  version: GraphVersion,
  location: { readonly base: string; readonly request: GraphRequest },
): Record<string, unknown> {
  const fields: Record<string, string>[] = [];
  const connections: Record<string, string> = {};
  const token = new URLSearchParams(location.request.query ?? '').get('access_token');
  const query = token === null ? '' : `?${new URLSearchParams({ access_token: token }).toString()}`;
  for (const field of node.fields) {
    if (!servedAt(field, version)) continue;
    if (field.edge !== undefined) {
      connections[field.name] = `${location.base}/${version}/${objectId}/${field.name}${query}`;
      continue;
    }
    fields.push({ name: field.name, description: field.description ?? '', type: field.type ?? 'string' });
  }
  for (const edge of node.connections ?? [])
    connections[edge] = `${location.base}/${version}/${objectId}/${edge}${query}`;
  return {
    fields,
    type: node.metadataType ?? node.typeName.toLowerCase(),
    connections,
  };
}

/** A node read with `metadata` appended after its fields (`__debug__`, when asked, comes later). */
export function withMetadata(body: RenderedBody, metadata: Record<string, unknown>): RenderedBody {
  return renderBody({ ...(body.value as Record<string, unknown>), metadata });
}
