import { BUSINESS_VERTICALS } from '../contract/business-profile.ts';
import {
  ACCOUNT_REVIEW_STATUSES,
  BUSINESS_VERIFICATION_STATUSES,
  OWNERSHIP_TYPES,
} from '../contract/waba.ts';
import { errorEnvelope } from './envelope.ts';
import { GraphError } from './graph-error.ts';
/**
 * The OpenAPI 3.1 document of the Graph surface, generated from the tables the server runs on: the
 * version table, the node-type field tables (graph/node-types.ts), the route table
 * (contract/graph-routes.ts) and the error catalogue (contract/errors.ts). Never hand-maintained.
 */
import {
  ERROR_CATALOGUE,
  fillTemplate,
  INVALID_PARAMETER,
  type CatalogueKey,
  type CatalogueRow,
} from '../contract/errors.ts';
import {
  BATCH_PARAMS_DOC,
  COMMON_PARAMS_DOC,
  GRAPH_ROUTES,
  type GraphObjectKind,
  type GraphOperation,
  type GraphRoute,
  type GraphRouteParam,
  type GraphRouteResult,
} from '../contract/graph-routes.ts';
import {
  ACCOUNT_MODES,
  BUSINESS_MANAGER_MESSAGING_LIMITS,
  CAN_SEND_MESSAGE,
  CODE_VERIFICATION_STATUSES,
  MESSAGING_LIMIT_TIERS,
  NAME_STATUSES,
  PHONE_NUMBER_STATUSES,
  PLATFORM_TYPES,
  QUALITY_RATINGS,
  QUALITY_SCORES,
  SEARCH_VISIBILITIES,
  THROUGHPUT_LEVELS,
} from '../contract/phone-number.ts';
import { NATIVE_VERSIONS, NEWEST_VERSION, versionIndex, type GraphVersion } from '../contract/versions.ts';
import type { NodeTypeDescriptor, SelectableField } from './field-selection.ts';
import { BUSINESS_PROFILE_NODE, PHONE_NUMBER_NODE, QR_CODE_NODE, WABA_NODE } from './node-types.ts';

type Schema = Record<string, unknown>;

const STRING: Schema = { type: 'string' };
const BOOLEAN: Schema = { type: 'boolean' };
const enumOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });

/** Value schemas of known fields; a field of a node table missing here is still listed, untyped. */
const FIELD_SCHEMAS: Readonly<Record<string, Schema>> = {
  id: STRING,
  display_phone_number: STRING,
  verified_name: STRING,
  account_mode: enumOf(ACCOUNT_MODES),
  certificate: STRING,
  new_certificate: STRING,
  name_status: enumOf(NAME_STATUSES),
  new_name_status: enumOf(NAME_STATUSES),
  quality_score: {
    type: 'object',
    properties: {
      score: enumOf(QUALITY_SCORES),
      date: { type: 'integer', description: 'Unix seconds.' },
      reasons: { type: 'array', items: STRING },
    },
  },
  status: enumOf(PHONE_NUMBER_STATUSES),
  code_verification_status: enumOf(CODE_VERIFICATION_STATUSES),
  quality_rating: enumOf(QUALITY_RATINGS),
  is_official_business_account: BOOLEAN,
  is_pin_enabled: BOOLEAN,
  messaging_limit_tier: enumOf(MESSAGING_LIMIT_TIERS),
  eligibility_for_api_business_global_search: STRING,
  search_visibility: enumOf(SEARCH_VISIBILITIES),
  platform_type: enumOf(PLATFORM_TYPES),
  throughput: { type: 'object', properties: { level: enumOf(THROUGHPUT_LEVELS) } },
  webhook_configuration: { type: 'object', properties: { application: STRING, phone_number: STRING } },
  is_preverified_number: BOOLEAN,
  health_status: {
    type: 'object',
    properties: {
      can_send_message: enumOf(CAN_SEND_MESSAGE),
      entities: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            entity_type: enumOf(['PHONE_NUMBER', 'WABA', 'BUSINESS', 'APP']),
            id: STRING,
            can_send_message: enumOf(CAN_SEND_MESSAGE),
            additional_info: { type: 'array', items: STRING },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  error_code: { type: 'integer' },
                  error_description: STRING,
                  possible_solution: STRING,
                },
              },
            },
          },
        },
      },
    },
  },
  is_on_biz_app: BOOLEAN,
  whatsapp_business_manager_messaging_limit: enumOf(BUSINESS_MANAGER_MESSAGING_LIMITS),
  // WABA and QR code fields
  name: STRING,
  timezone_id: STRING,
  currency: STRING,
  message_template_namespace: STRING,
  code: STRING,
  prefilled_message: STRING,
  deep_link_url: STRING,
  qr_image_url: STRING,
  last_onboarded_time: {
    type: ['string', 'integer'],
    description: 'Graph time `2023-08-22T19:05:53+0000`; unix seconds with `date_format=U`.',
  },
  new_display_name: STRING,
  account_review_status: enumOf(ACCOUNT_REVIEW_STATUSES),
  business_verification_status: enumOf(BUSINESS_VERIFICATION_STATUSES),
  country: STRING,
  ownership_type: enumOf(OWNERSHIP_TYPES),
  // Business profile fields
  about: STRING,
  address: STRING,
  description: STRING,
  email: STRING,
  profile_picture_url: STRING,
  websites: { type: 'array', items: STRING },
  vertical: enumOf(BUSINESS_VERTICALS),
  messaging_product: { const: 'whatsapp' },
};

const SCHEMA_NAMES: Readonly<Record<string, string>> = {
  [PHONE_NUMBER_NODE.typeName]: 'PhoneNumber',
  [WABA_NODE.typeName]: 'WhatsAppBusinessAccount',
  [QR_CODE_NODE.typeName]: 'QrCode',
  [BUSINESS_PROFILE_NODE.typeName]: 'BusinessProfile',
};
const OBJECT_NODES: Readonly<Record<GraphObjectKind | 'qrCode' | 'businessProfile', NodeTypeDescriptor>> = {
  phoneNumber: PHONE_NUMBER_NODE,
  waba: WABA_NODE,
  qrCode: QR_CODE_NODE,
  businessProfile: BUSINESS_PROFILE_NODE,
};
const OBJECT_LABELS: Readonly<Record<GraphObjectKind, string>> = {
  phoneNumber: 'Phone number',
  waba: 'WhatsApp Business Account',
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const schemaName = (node: NodeTypeDescriptor): string => SCHEMA_NAMES[node.typeName] ?? node.typeName;
const pageName = (node: NodeTypeDescriptor): string => `${schemaName(node)}Page`;

function servedIn(field: { since: GraphVersion; until?: GraphVersion }, version: GraphVersion): boolean {
  const at = versionIndex(version);
  return versionIndex(field.since) <= at && (field.until === undefined || at <= versionIndex(field.until));
}

function fieldSchema(field: SelectableField): Schema {
  if (field.edge !== undefined) {
    return {
      ...ref(pageName(field.edge)),
      description: `Edge: its first page, when selected in \`fields\`.`,
    };
  }
  const known = FIELD_SCHEMAS[field.name];
  const since = field.since === NATIVE_VERSIONS[0] ? '' : ` Since ${field.since}.`;
  const until = field.until === undefined ? '' : ` Until ${field.until}.`;
  const note = `${since}${until}`.trim();
  return { ...(known ?? {}), ...(note === '' ? {} : { description: note }) };
}

function nodeSchema(node: NodeTypeDescriptor, version: GraphVersion): Schema {
  const properties: Record<string, Schema> = {};
  for (const field of node.fields) if (servedIn(field, version)) properties[field.name] = fieldSchema(field);
  return {
    type: 'object',
    description: `Graph type ${node.typeName}. Only the selected fields are present; without \`fields\`: ${node.defaultFields(version).join(', ')}.`,
    properties,
  };
}

function pageSchema(node: NodeTypeDescriptor): Schema {
  return {
    type: 'object',
    required: ['data'],
    properties: {
      data: { type: 'array', items: ref(schemaName(node)) },
      paging: ref('Paging'),
    },
  };
}

/** A catalogue row as the renderer writes it at `version` (WhatsApp rows change format at v16.0). */
function errorExample(key: CatalogueKey, row: CatalogueRow, version: GraphVersion): Schema {
  const { error } = errorEnvelope(new GraphError(key, row, row.message), 'AbCdEfGhIjKlMnOpQrStUvW', version);
  const subcode = row.subcode === undefined ? '' : `/${row.subcode}`;
  return { summary: `${key}: ${row.code}${subcode} (HTTP ${row.httpStatus})`, value: { error } };
}

/** One response per HTTP status of the catalogue, with every row of that status as a named example. */
function errorResponses(version: GraphVersion): Record<string, Schema> {
  const byStatus = new Map<number, Record<string, Schema>>();
  for (const [key, row] of Object.entries(ERROR_CATALOGUE) as [CatalogueKey, CatalogueRow][]) {
    const examples = byStatus.get(row.httpStatus) ?? {};
    examples[key] = errorExample(key, row, version);
    // The invalid-parameter row's details, one example each: `(#100) {detail}`.
    if (key === 'invalidParameter') {
      for (const [detail, text] of Object.entries(INVALID_PARAMETER)) {
        examples[`invalidParameter.${detail}`] = errorExample(
          key,
          { ...row, message: fillTemplate(row.message, { detail: text }) },
          version,
        );
      }
    }
    byStatus.set(row.httpStatus, examples);
  }
  const responses: Record<string, Schema> = {};
  for (const [status, examples] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`GraphError${status}`] = {
      description: `Graph errors answered with HTTP ${status} (rows of the error catalogue, docs/errors.md).`,
      content: { 'application/json': { schema: ref('GraphErrorEnvelope'), examples } },
    };
  }
  return responses;
}

function resultSchema(result: GraphRouteResult): Schema {
  switch (result.kind) {
    case 'object':
      return ref(schemaName(OBJECT_NODES[result.object]));
    case 'page':
      return ref(pageName(OBJECT_NODES[result.of]));
    case 'success':
      return ref('Success');
    case 'id':
      return ref('CreatedId');
    case 'qrCode':
      return ref('QrCode');
  }
}

function paramSchema(param: GraphRouteParam): Schema {
  if (param.enum !== undefined) return enumOf(param.enum);
  if (param.type === 'integer') return { type: 'integer' };
  return STRING;
}

function queryParam(param: GraphRouteParam): Schema {
  return {
    name: param.name,
    in: 'query',
    description: param.description,
    ...(param.required === true ? { required: true } : {}),
    schema: paramSchema(param),
  };
}

function formBody(params: readonly GraphRouteParam[]): Schema {
  const properties: Record<string, Schema> = {};
  for (const param of params)
    properties[param.name] = { ...paramSchema(param), description: param.description };
  const required = params.filter((param) => param.required === true).map((param) => param.name);
  const schema: Schema = { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
  return {
    description: 'Parameters as a form or JSON body (or in the query string).',
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
  };
}

const FIELDS_PARAM: GraphRouteParam = {
  name: 'fields',
  description: 'Comma-separated fields; objects take `{subfields}`, edges `.limit(n){…}` (graph-api.md §4).',
};

/** Routes of different objects on the same path and method (`GET /{id}`) share one operation. */
interface ServedOperation {
  readonly route: GraphRoute;
  readonly operation: GraphOperation;
}

function operationObject(served: readonly ServedOperation[], errorRefs: Schema): Schema {
  const first = served[0] as ServedOperation;
  const { route, operation } = first;
  const objects = served.map((entry) => OBJECT_LABELS[entry.route.object]);
  const parameters: Schema[] = [
    {
      name: 'id',
      in: 'path',
      required: true,
      description: `The id of a ${objects.join(' or ')}.`,
      schema: { type: 'string', pattern: '^\\d+$' },
    },
  ];
  for (const segment of route.edge) {
    if (segment.startsWith('{'))
      parameters.push({ name: segment.slice(1, -1), in: 'path', required: true, schema: STRING });
  }
  if (served.some((entry) => entry.operation.fields === true)) parameters.push(queryParam(FIELDS_PARAM));
  const ownParams = operation.method === 'POST' ? [] : operation.params;
  for (const param of [...ownParams, ...COMMON_PARAMS_DOC]) parameters.push(queryParam(param));
  const results = served.map((entry) => resultSchema(entry.operation.result));
  const edgeName = route.edge.map((segment) => segment.replace(/[{}]/g, '')).join('_');
  return {
    operationId: `${operation.method.toLowerCase()}_${edgeName === '' ? 'node' : edgeName}`,
    summary: served.map((entry) => entry.operation.summary).join('; '),
    tags: [...new Set(served.map((entry) => OBJECT_LABELS[entry.route.object]))],
    parameters,
    ...(operation.method === 'POST' && operation.params.length > 0
      ? { requestBody: formBody(operation.params) }
      : {}),
    responses: {
      '200': {
        description: 'Success',
        content: {
          'application/json': { schema: results.length === 1 ? results[0] : { oneOf: results } },
        },
      },
      ...errorRefs,
    },
  };
}

export interface OpenApiOptions {
  /** The Graph version the document describes (paths are `/{version}/…`); default the newest. */
  readonly version?: GraphVersion;
  /** The server the document names; default `https://graph.facebook.com`. */
  readonly serverUrl?: string;
}

/** The whole document for one Graph version. */
export function openApiDocument(options: OpenApiOptions = {}): Schema {
  const version = options.version ?? NEWEST_VERSION;
  const errors = errorResponses(version);
  const errorRefs: Schema = {};
  for (const name of Object.keys(errors)) {
    errorRefs[name.replace('GraphError', '')] = { $ref: `#/components/responses/${name}` };
  }
  const served = new Map<string, Map<string, ServedOperation[]>>();
  for (const route of GRAPH_ROUTES) {
    const path = [`/${version}`, '{id}', ...route.edge].join('/');
    for (const operation of route.operations) {
      if (operation.since !== undefined && versionIndex(operation.since) > versionIndex(version)) continue;
      const methods = served.get(path) ?? new Map<string, ServedOperation[]>();
      const method = operation.method.toLowerCase();
      methods.set(method, [...(methods.get(method) ?? []), { route, operation }]);
      served.set(path, methods);
    }
  }
  const paths: Record<string, Record<string, Schema>> = {};
  for (const [path, methods] of served) {
    paths[path] = Object.fromEntries(
      [...methods].map(([method, entries]) => [method, operationObject(entries, errorRefs)]),
    );
  }
  paths[`/${version}/`] = {
    post: {
      operationId: 'post_batch',
      summary: 'Batch: up to 50 Graph calls in one request (graph-api.md §7)',
      tags: ['Batch'],
      parameters: COMMON_PARAMS_DOC.map(queryParam),
      requestBody: formBody(BATCH_PARAMS_DOC),
      responses: {
        '200': {
          description: 'One result per item, in order; `null` for an item not run.',
          content: { 'application/json': { schema: { type: 'array', items: ref('BatchItemResult') } } },
        },
        ...errorRefs,
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: `Graph API ${version}: WhatsApp Business phone numbers (as served by phonegraph)`,
      version,
      description:
        "Generated by phonegraph from the tables it serves from: versions, fields per node type, routes and the error catalogue. Paths without the version segment are served too, at the app's default version.",
    },
    servers: [{ url: options.serverUrl ?? 'https://graph.facebook.com' }],
    security: [{ bearer: [] }, { accessTokenQuery: [] }],
    tags: [...Object.values(OBJECT_LABELS), 'Batch'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Graph access token.' },
        accessTokenQuery: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
      schemas: {
        PhoneNumber: nodeSchema(PHONE_NUMBER_NODE, version),
        WhatsAppBusinessAccount: nodeSchema(WABA_NODE, version),
        QrCode: nodeSchema(QR_CODE_NODE, version),
        PhoneNumberPage: pageSchema(PHONE_NUMBER_NODE),
        WhatsAppBusinessAccountPage: pageSchema(WABA_NODE),
        QrCodePage: pageSchema(QR_CODE_NODE),
        BusinessProfile: nodeSchema(BUSINESS_PROFILE_NODE, version),
        BusinessProfilePage: pageSchema(BUSINESS_PROFILE_NODE),
        Paging: {
          type: 'object',
          properties: {
            cursors: { type: 'object', properties: { before: STRING, after: STRING } },
            next: { type: 'string', format: 'uri' },
            previous: { type: 'string', format: 'uri' },
          },
        },
        Success: { type: 'object', required: ['success'], properties: { success: { const: true } } },
        CreatedId: { type: 'object', required: ['id'], properties: { id: STRING } },
        BatchItemResult: {
          type: ['object', 'null'],
          properties: {
            code: { type: 'integer' },
            headers: {
              type: 'array',
              items: { type: 'object', properties: { name: STRING, value: STRING } },
            },
            body: { type: 'string', description: 'The item response body as JSON text.' },
          },
        },
        GraphErrorEnvelope: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'code', 'fbtrace_id'],
              properties: {
                message: STRING,
                type: enumOf(['OAuthException', 'GraphMethodException']),
                code: { type: 'integer' },
                error_subcode: { type: 'integer' },
                is_transient: BOOLEAN,
                error_user_title: STRING,
                error_user_msg: STRING,
                error_data: {},
                fbtrace_id: STRING,
              },
            },
          },
        },
      },
      responses: errors,
    },
  };
}
