/**
 * The one catalogue of Graph errors (graph-api.md §3). Messages are written once, here; routes throw
 * catalogue errors, one renderer writes them, tests import these constants, and docs/errors.md lists
 * exactly these rows (checked by a test).
 */
import { BUSINESS_VERTICALS, MAX_BUSINESS_WEBSITES } from './business-profile.ts';
import type { GraphVersion } from './versions.ts';

export type GraphErrorType = 'OAuthException' | 'GraphMethodException';

export interface CatalogueRow {
  readonly code: number;
  readonly subcode?: number;
  readonly type: GraphErrorType;
  readonly httpStatus: number;
  /** Message template; `{name}` placeholders are filled by the named constructor. */
  readonly message: string;
  readonly isTransient?: true;
  /**
   * A WhatsApp row (13xxxx): the renderer writes it in the WhatsApp error format of the served version
   * (graph-api.md §3), so a row only declares its title (also its `message`) and details.
   */
  readonly whatsapp?: WhatsAppErrorText;
}

/** The two texts of a WhatsApp row; `details` is a template like `message`. */
export interface WhatsAppErrorText {
  readonly title: string;
  readonly details: string;
}

/**
 * From this version on, WhatsApp rows read `(#code) title` with `error_data.details`; before it, the
 * bare title with `error_user_title` / `error_user_msg` (graph-api.md §3).
 */
export const WHATSAPP_ERROR_FORMAT_SINCE: GraphVersion = 'v16.0';

const GRAPH_DOCS =
  'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api';

export const ERROR_CATALOGUE = {
  tokenMissing: {
    code: 104,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'An access token is required to request this resource.',
  },
  tokenInvalid: {
    code: 190,
    type: 'OAuthException',
    httpStatus: 401,
    message: 'Invalid OAuth access token - Cannot parse access token',
  },
  tokenExpired: {
    code: 190,
    subcode: 463,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Error validating access token: Session has expired on {expiry}. The current time is {now}.',
  },
  tokenRevoked: {
    code: 190,
    subcode: 460,
    type: 'OAuthException',
    httpStatus: 400,
    message:
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  },
  unsupportedRequest: {
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    httpStatus: 400,
    message: `Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${GRAPH_DOCS}`,
  },
  noObject: {
    code: 100,
    type: 'GraphMethodException',
    httpStatus: 400,
    message: `Unsupported get request. ${GRAPH_DOCS}`,
  },
  aliasUnknown: {
    code: 803,
    type: 'OAuthException',
    httpStatus: 404,
    message: '(#803) Some of the aliases you requested do not exist: {alias}',
  },
  unknownPath: {
    code: 2500,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Unknown path components: /{rest}',
  },
  fieldsSyntax: {
    code: 2500,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Syntax error "{what}" at character {index}: {fields}',
  },
  nonexistingField: {
    code: 100,
    type: 'OAuthException',
    httpStatus: 400,
    message: '(#100) Tried accessing nonexisting field ({field}) on node type ({nodeType})',
  },
  invalidParameter: {
    code: 100,
    type: 'OAuthException',
    httpStatus: 400,
    message: '(#100) {detail}',
  },
  appsecretProofMissing: {
    code: 100,
    type: 'GraphMethodException',
    httpStatus: 400,
    message: 'API calls from the server require an appsecret_proof argument',
  },
  appsecretProofInvalid: {
    code: 100,
    type: 'GraphMethodException',
    httpStatus: 400,
    message: 'Invalid appsecret_proof provided in the API argument',
  },
  bucRateLimit: {
    code: 80008,
    type: 'OAuthException',
    httpStatus: 400,
    isTransient: true,
    message:
      '(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
  },
  verifyCode: {
    code: 136025,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Verify code error',
    whatsapp: { title: 'Verify code error', details: '{reason}' },
  },
  registerRateLimit: {
    code: 133016,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Account register deregister rate limit exceeded',
    whatsapp: {
      title: 'Account register deregister rate limit exceeded',
      details:
        'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time',
    },
  },
  pinMismatch: {
    code: 133005,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Two step verification PIN Mismatch',
    whatsapp: {
      title: 'Two step verification PIN Mismatch',
      details: 'Verify that the two-step verification PIN included in the request is correct.',
    },
  },
  codeRequestLimit: {
    code: 136024,
    type: 'OAuthException',
    httpStatus: 400,
    message: 'Request code error',
    whatsapp: {
      title: 'Request code error',
      details: 'You have requested a verification code too many times. Try again later.',
    },
  },
  unknownError: {
    code: 1,
    type: 'OAuthException',
    httpStatus: 500,
    message: 'An unknown error has occurred.',
  },
  temporarilyUnavailable: {
    code: 2,
    type: 'OAuthException',
    httpStatus: 500,
    isTransient: true,
    message: 'An unexpected error has occurred. Please retry your request later.',
  },
} as const satisfies Record<string, CatalogueRow>;

export type CatalogueKey = keyof typeof ERROR_CATALOGUE;

/** `details` of 136025. */
export const VERIFY_CODE_REASONS = {
  incorrect: 'The code you entered is incorrect.',
  expired: 'The code you entered has expired. Request a new code.',
} as const;

/** Details of the invalid-parameter row, `(#100) {detail}`. */
export const INVALID_PARAMETER = {
  required: 'The parameter {name} is required',
  tooLong: 'Param {name} must be at most {n} characters long',
  generateQrImage: 'Param generate_qr_image must be one of {SVG, PNG} - got "{value}"',
  limit: 'Param limit must be an integer between 1 and 100',
  cursor: 'Invalid {which} cursor',
  qrImageFormat: 'Field qr_image_url requires .format(SVG|PNG)',
  unknownModifier: 'Unknown modifier {name} on field {field}',
  duplicateKey: 'Duplicate output key {key}',
  method: 'Param method must be one of {GET, POST, DELETE}',
  filteringArray: 'Param filtering must be a JSON array',
  filteringUnsupported: "Filtering field {field} with operation '{op}' is not supported",
  sort: 'Cannot sort by {value}',
  qrLimit: 'The phone number has reached the limit of 2000 QR codes',
  numberInUse: 'The phone number is already in use by a WhatsApp Business Account',
  pin: 'Param pin must be a 6-digit string',
  mustVerify: 'The phone number must be verified before it can be registered',
  wrongStatus: 'The phone number cannot be {action} in status {status}',
  codeMethod: 'Param code_method must be one of {SMS, VOICE} - got "{value}"',
  messagingProduct: 'Param messaging_product must be whatsapp - got "{value}"',
  webhookConfiguration:
    'Param webhook_configuration must be a JSON object with override_callback_uri (an http or https URL, or "" to remove the override) and verify_token',
  nodeParam: 'Param {name} cannot be set on this node',
  bodyTooLarge: 'Request body exceeds 1048576 bytes',
  queryTooLarge: 'Query string exceeds 16384 bytes',
  bodyNotJson: 'Request body is not valid JSON',
  bodyNotMultipart: 'Request body is not valid multipart/form-data',
  bodyTooDeep: 'Request body nests deeper than {depth} levels',
  malformedRequest: 'Malformed HTTP request',
  headersTooLarge: 'Request headers exceed 65536 bytes',
  batchTooLarge: 'Too many requests in batch message. Maximum batch size is 50',
  tooManyIds: 'Too many IDs. Maximum: 50',
  dependencyFailed: 'Request {name} depended on by this request failed',
  vertical: `Param vertical must be one of {${BUSINESS_VERTICALS.join(', ')}}`,
  websites: `Param websites must have at most ${MAX_BUSINESS_WEBSITES} entries`,
  websitesFormat: 'Param websites must be a URL or a JSON array of URLs',
} as const;

/** Fills `{name}` placeholders; unknown names stay as written so a missing value is visible. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}
