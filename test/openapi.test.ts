import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startPhonegraph, type Phonegraph } from 'phonegraph/testing';
import { ERROR_CATALOGUE, INVALID_PARAMETER } from '../src/contract/errors.ts';
import { GRAPH_ROUTES, COMMON_PARAMS_DOC, BATCH_PARAMS_DOC } from '../src/contract/graph-routes.ts';
import { NATIVE_VERSIONS, versionIndex } from '../src/contract/versions.ts';
import { BATCH_PARAMS } from '../src/graph/batch.ts';
import { COMMON_PARAMS } from '../src/graph/graph-objects.ts';
import { LIFECYCLE_EDGES } from '../src/graph/lifecycle-edges.ts';
import { openApiDocument } from '../src/graph/openapi-document.ts';

type Doc = {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    responses: Record<string, { content: { 'application/json': { examples: Record<string, unknown> } } }>;
  };
};

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const ID = { phoneNumber: '400000000000101', waba: '3000000000000001' } as const;
const QR = '4O4YGZEG3RIVE1';

const doc = (version?: (typeof NATIVE_VERSIONS)[number]): Doc =>
  openApiDocument(version === undefined ? {} : { version }) as unknown as Doc;

test('the document of every served version is valid OpenAPI 3.1', async () => {
  for (const version of NATIVE_VERSIONS) {
    const result = await new Validator().validate(
      doc(version) as unknown as Parameters<Validator['validate']>[0],
    );
    assert.deepEqual(result, { valid: true }, version);
    assert.equal(doc(version).openapi, '3.1.0');
  }
});

test('every route of the table appears with each method from its first version on', () => {
  for (const version of NATIVE_VERSIONS) {
    const paths = doc(version).paths;
    for (const route of GRAPH_ROUTES) {
      const path = [`/${version}`, '{id}', ...route.edge].join('/');
      for (const operation of route.operations) {
        const served =
          operation.since === undefined || versionIndex(operation.since) <= versionIndex(version);
        assert.equal(
          paths[path]?.[operation.method.toLowerCase()] !== undefined,
          served,
          `${version} ${path}`,
        );
      }
    }
    assert.ok(paths[`/${version}/`]?.post, 'batch');
  }
  assert.equal(doc('v13.0').paths['/v13.0/{id}']?.post, undefined);
  assert.ok(doc('v14.0').paths['/v14.0/{id}']?.post);
});

test('every catalogue error and invalid-parameter detail is an example of its HTTP status', () => {
  const responses = doc().components.responses;
  for (const [key, row] of Object.entries(ERROR_CATALOGUE)) {
    const examples = responses[`GraphError${row.httpStatus}`]?.content['application/json'].examples ?? {};
    const example = examples[key] as {
      value: { error: { code: number; error_subcode?: number; type: string } };
    };
    assert.ok(example, key);
    assert.equal(example.value.error.code, row.code);
    assert.equal(example.value.error.error_subcode, 'subcode' in row ? row.subcode : undefined);
    assert.equal(example.value.error.type, row.type);
  }
  const badRequest = responses.GraphError400?.content['application/json'].examples ?? {};
  for (const detail of Object.keys(INVALID_PARAMETER))
    assert.ok(badRequest[`invalidParameter.${detail}`], detail);
  // Every operation can answer every error status.
  for (const methods of Object.values(doc().paths)) {
    for (const operation of Object.values(methods)) {
      for (const name of Object.keys(responses))
        assert.ok(operation.responses[name.replace('GraphError', '')]);
    }
  }
});

test('the phone-number schema has the fields of its version', () => {
  const fields = (version: (typeof NATIVE_VERSIONS)[number]) =>
    Object.keys(doc(version).components.schemas.PhoneNumber?.properties ?? {});
  assert.ok(fields('v19.0').includes('health_status'));
  assert.ok(!fields('v18.0').includes('health_status'));
  assert.ok(fields('v20.0').includes('search_visibility'));
  assert.ok(!fields('v21.0').includes('search_visibility'));
  assert.ok(!fields('v13.0').includes('platform_type'));
  assert.ok(fields('v26.0').includes('message_qrdls'));
});

test('the table agrees with the handler: lifecycle edges, common and batch parameters', () => {
  for (const edge of LIFECYCLE_EDGES) {
    assert.ok(
      GRAPH_ROUTES.some((route) => route.object === 'phoneNumber' && route.edge.join('/') === edge),
      edge,
    );
  }
  assert.deepEqual(
    new Set(COMMON_PARAMS),
    new Set(['fields', ...COMMON_PARAMS_DOC.map((param) => param.name)]),
  );
  assert.deepEqual(
    BATCH_PARAMS_DOC.map((param) => param.name),
    [...BATCH_PARAMS],
  );
});

describe('over HTTP', () => {
  let pg: Phonegraph;
  before(async () => {
    pg = await startPhonegraph();
  });
  after(() => pg.close());

  test('the handler serves every route of the table, and answers 2500 for an edge not in it', async () => {
    const call = async (method: string, path: string) => {
      const response = await fetch(`${pg.url}/v26.0/${path}`, {
        method,
        headers: { authorization: `Bearer ${pg.tokens[0]}` },
      });
      return (await response.json()) as { error?: { code: number } };
    };
    for (const route of GRAPH_ROUTES) {
      const path = [
        ID[route.object],
        ...route.edge.map((segment) => (segment === '{code}' ? QR : segment)),
      ].join('/');
      for (const operation of route.operations) {
        const body = await call(operation.method, path);
        assert.notEqual(body.error?.code, 2500, `${operation.method} ${path}: ${JSON.stringify(body)}`);
      }
    }
    assert.equal((await call('GET', `${ID.phoneNumber}/no_such_edge`)).error?.code, 2500);
    assert.equal((await call('GET', `${ID.waba}/no_such_edge`)).error?.code, 2500);
  });

  test('GET /__openapi.json needs no token and names this server', async () => {
    const response = await fetch(`${pg.url}/__openapi.json?version=v21.0`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const served = (await response.json()) as Doc;
    assert.deepEqual(
      served,
      JSON.parse(JSON.stringify(openApiDocument({ version: 'v21.0', serverUrl: pg.url }))),
    );
    const bad = await fetch(`${pg.url}/__openapi.json?version=v99.0`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: { message: 'version must be a served version, got v99.0', code: 'validation_failed' },
    });
  });
});

test('phonegraph openapi --version prints the document of that version', { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'openapi', '--version', 'v21.0']);
  const printed = JSON.parse(stdout) as Doc;
  assert.equal(printed.info.version, 'v21.0');
  assert.deepEqual(printed.servers, [{ url: 'https://graph.facebook.com' }]);
  assert.deepEqual(printed, JSON.parse(JSON.stringify(openApiDocument({ version: 'v21.0' }))));
  await assert.rejects(promisify(execFile)(process.execPath, [BIN, 'openapi', '--version', 'v9.0']), {
    code: 2,
  });
});
