/**
 * The Graph routes phonegraph serves, as data: the handler asks `servesEdge` whether a path after an
 * object id exists, and the OpenAPI document (`phonegraph openapi`, `GET /__openapi.json`) is generated
 * from these rows. A new edge is one row here plus its handler.
 */
import type { GraphVersion } from './versions.ts';

export type GraphObjectKind = 'phoneNumber' | 'waba';
export type GraphRouteMethod = 'GET' | 'POST' | 'DELETE';

export interface GraphRouteParam {
  readonly name: string;
  readonly description: string;
  readonly required?: true;
  /** `json`: a JSON value sent as a string (query or form field). Default `string`. */
  readonly type?: 'string' | 'integer' | 'json';
  readonly enum?: readonly string[];
}

/** What a success answers: the object, a page of objects, `{"success":true}`, `{"id"}`, or a QR code. */
export type GraphRouteResult =
  | { readonly kind: 'object'; readonly object: GraphObjectKind }
  | { readonly kind: 'page'; readonly of: GraphObjectKind | 'qrCode' | 'businessProfile' }
  | { readonly kind: 'success' }
  | { readonly kind: 'id' }
  | { readonly kind: 'qrCode' };

export interface GraphOperation {
  readonly method: GraphRouteMethod;
  readonly summary: string;
  /** The first version serving it; before that it answers 100/33 like any unsupported method. */
  readonly since?: GraphVersion;
  readonly params: readonly GraphRouteParam[];
  readonly result: GraphRouteResult;
  /** Served under `fields` (`?fields=status`) and the field-selection grammar. */
  readonly fields?: true;
}

export interface GraphRoute {
  readonly object: GraphObjectKind;
  /** Segments after the object id: `[]` is the node; `{name}` matches any one segment. */
  readonly edge: readonly string[];
  readonly operations: readonly GraphOperation[];
}

const PAGE: readonly GraphRouteParam[] = [
  { name: 'limit', type: 'integer', description: 'Page size (1–1000 on phonegraph).' },
  { name: 'after', description: 'Cursor of the next page (`paging.cursors.after`).' },
  { name: 'before', description: 'Cursor of the previous page (`paging.cursors.before`).' },
];

const QR_WRITE: readonly GraphRouteParam[] = [
  {
    name: 'prefilled_message',
    required: true,
    description: 'The message the chat opens with (≤ 140 characters).',
  },
  { name: 'generate_qr_image', enum: ['PNG', 'SVG'], description: 'Adds `qr_image_url` in that format.' },
];

export const GRAPH_ROUTES: readonly GraphRoute[] = [
  {
    object: 'phoneNumber',
    edge: [],
    operations: [
      {
        method: 'GET',
        summary: 'Read a phone number',
        params: [],
        result: { kind: 'object', object: 'phoneNumber' },
        fields: true,
      },
      {
        method: 'POST',
        summary: 'Set the two-step PIN or the webhook override of a phone number',
        since: 'v14.0',
        params: [
          { name: 'pin', description: 'A new 6-digit two-step verification PIN.' },
          {
            name: 'webhook_configuration',
            type: 'json',
            description:
              '`{"override_callback_uri","verify_token"}` or `{"override_callback_uri":""}` to remove.',
          },
          { name: 'new_display_name', description: 'Requests a display-name change (1–512 characters).' },
        ],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['message_qrdls'],
    operations: [
      {
        method: 'GET',
        summary: 'List the QR codes of a phone number',
        params: [{ name: 'code', description: 'Only the QR code with this code.' }, ...PAGE],
        result: { kind: 'page', of: 'qrCode' },
        fields: true,
      },
      {
        method: 'POST',
        summary: 'Create a QR code (or update one given `code`)',
        params: [...QR_WRITE, { name: 'code', description: 'Update this QR code instead of creating one.' }],
        result: { kind: 'qrCode' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['message_qrdls', '{code}'],
    operations: [
      {
        method: 'GET',
        summary: 'Read one QR code (as a one-item `data` list)',
        params: [],
        result: { kind: 'page', of: 'qrCode' },
        fields: true,
      },
      { method: 'POST', summary: 'Update a QR code', params: QR_WRITE, result: { kind: 'qrCode' } },
      { method: 'DELETE', summary: 'Delete a QR code', params: [], result: { kind: 'success' } },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['whatsapp_business_profile'],
    operations: [
      {
        method: 'GET',
        summary: 'Read the business profile of a phone number (a one-item `data` list)',
        params: [],
        result: { kind: 'page', of: 'businessProfile' },
        fields: true,
      },
      {
        method: 'POST',
        summary: 'Update the business profile of a phone number',
        params: [
          {
            name: 'messaging_product',
            required: true,
            enum: ['whatsapp'],
            description: 'Always `whatsapp`.',
          },
          { name: 'about', description: 'At most 139 characters; `""` clears it.' },
          { name: 'address', description: 'At most 256 characters.' },
          { name: 'description', description: 'At most 512 characters.' },
          { name: 'email', description: 'At most 128 characters.' },
          { name: 'websites', type: 'json', description: 'At most 2 URLs of at most 256 characters.' },
          { name: 'vertical', description: 'The business category (`PROF_SERVICES`, `RETAIL`, …).' },
          { name: 'profile_picture_handle', description: 'An upload handle; sets `profile_picture_url`.' },
        ],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['request_code'],
    operations: [
      {
        method: 'POST',
        summary: 'Send a verification code by SMS or voice',
        params: [
          {
            name: 'code_method',
            required: true,
            enum: ['SMS', 'VOICE'],
            description: 'How the code is sent.',
          },
          { name: 'language', required: true, description: 'Language of the message, e.g. `en_US`.' },
        ],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['verify_code'],
    operations: [
      {
        method: 'POST',
        summary: 'Verify the code request_code sent',
        params: [{ name: 'code', required: true, description: 'The 6-digit code.' }],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['register'],
    operations: [
      {
        method: 'POST',
        summary: 'Register the number for Cloud API',
        params: [
          {
            name: 'messaging_product',
            required: true,
            enum: ['whatsapp'],
            description: 'Always `whatsapp`.',
          },
          { name: 'pin', required: true, description: 'The 6-digit two-step verification PIN.' },
        ],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'phoneNumber',
    edge: ['deregister'],
    operations: [
      {
        method: 'POST',
        summary: 'Deregister the number from Cloud API',
        params: [],
        result: { kind: 'success' },
      },
    ],
  },
  {
    object: 'waba',
    edge: [],
    operations: [
      {
        method: 'GET',
        summary: 'Read a WhatsApp Business Account',
        params: [],
        result: { kind: 'object', object: 'waba' },
        fields: true,
      },
    ],
  },
  {
    object: 'waba',
    edge: ['phone_numbers'],
    operations: [
      {
        method: 'GET',
        summary: 'List the phone numbers of a WhatsApp Business Account',
        params: [
          {
            name: 'sort',
            description: '`last_onboarded_time_ascending` or `last_onboarded_time_descending`.',
          },
          {
            name: 'filtering',
            type: 'json',
            description: '`[{"field":"account_mode","operator":"EQUAL","value":"SANDBOX"}]`.',
          },
          ...PAGE,
        ],
        result: { kind: 'page', of: 'phoneNumber' },
        fields: true,
      },
      {
        method: 'POST',
        summary: 'Add a phone number to a WhatsApp Business Account',
        params: [
          { name: 'cc', required: true, description: 'Country calling code, e.g. `1`.' },
          { name: 'phone_number', required: true, description: 'The national number.' },
          { name: 'verified_name', required: true, description: 'The display name to review.' },
        ],
        result: { kind: 'id' },
      },
    ],
  },
];

/** Whether `rest` (the segments after an object id) names a served route of that object. */
export function servesEdge(object: GraphObjectKind, rest: readonly string[]): boolean {
  return GRAPH_ROUTES.some(
    (route) =>
      route.object === object &&
      route.edge.length === rest.length &&
      route.edge.every((segment, i) => segment.startsWith('{') || segment === rest[i]),
  );
}

/** `POST /` and `POST /{version}/` (graph-api.md §7). */
export const BATCH_PARAMS_DOC: readonly GraphRouteParam[] = [
  {
    name: 'batch',
    required: true,
    type: 'json',
    description: 'Up to 50 `{"method","relative_url","body"?,"name"?,"depends_on"?}` items.',
  },
  { name: 'include_headers', description: '`false` leaves `headers` out of each item result.' },
];

/** Parameters every Graph call takes (graph-api.md §2, §6). */
export const COMMON_PARAMS_DOC: readonly GraphRouteParam[] = [
  { name: 'access_token', description: 'The token, when not sent as `Authorization: Bearer …`.' },
  { name: 'appsecret_proof', description: 'hex HMAC-SHA256(app secret, access token).' },
  { name: 'pretty', enum: ['0', '1', 'true', 'false'], description: 'Indented output.' },
  { name: 'suppress_http_code', enum: ['0', '1', 'true', 'false'], description: 'Always HTTP 200.' },
  { name: 'callback', description: 'JSONP callback name.' },
  { name: 'method', enum: ['GET', 'POST', 'DELETE'], description: 'Tunnels GET or POST to this method.' },
  { name: 'debug', enum: ['all'], description: 'Adds `__debug__` warnings.' },
  { name: 'date_format', description: 'A PHP `date()` format for time fields; `U` gives unix seconds.' },
  { name: 'metadata', enum: ['0', '1'], description: "Adds the node's `metadata` (fields, connections)." },
];
