import { BUSINESS_PROFILE_FIELDS } from '../contract/business-profile.ts';
import {
  NODE_TYPES,
  PHONE_NUMBER_DEFAULT_FIELDS,
  PHONE_NUMBER_FIELDS,
  PHONE_NUMBER_LIST_DEFAULT_FIELDS,
} from '../contract/phone-number.ts';
import { WABA_DEFAULT_FIELDS, WABA_FIELDS, type WabaFieldName } from '../contract/waba.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import { qrImageFormat } from '../domain/qr-codes.ts';
import type { NodeTypeDescriptor, SelectableField } from './field-selection.ts';
import { invalidParameter } from './graph-error.ts';
import { pageLimit } from './paging.ts';

/** The row of a by-version defaults table that applies to `version`. */
function defaultsFor(
  table: readonly { since: GraphVersion; fields: readonly string[] }[],
): (version: GraphVersion) => readonly string[] {
  return (version) => {
    let fields: readonly string[] = [];
    for (const row of table) {
      if (versionIndex(row.since) <= versionIndex(version)) fields = row.fields;
    }
    return fields;
  };
}

/** `.limit(n)` on an edge in `fields`: a non-integer is the `limit` error (graph-api.md §4). */
function edgeField(name: string, description: string, edge: NodeTypeDescriptor): SelectableField {
  return {
    name,
    type: 'edge',
    description,
    since: 'v11.0',
    edge,
    modifiers: ['limit'],
    checkModifiers: (modifiers) => {
      if (modifiers.limit !== undefined) pageLimit(modifiers.limit);
    },
  };
}

/** phone-number.md §5.1: `qr_image_url` only with `.format(SVG|PNG)`. */
export const QR_CODE_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.qrCode,
  fields: [
    { name: 'code', type: 'string', description: 'The code of the QR code', since: 'v11.0' },
    {
      name: 'prefilled_message',
      type: 'string',
      description: 'The message prefilled when the QR code is scanned',
      since: 'v11.0',
    },
    { name: 'deep_link_url', type: 'string', description: 'The deep link of the QR code', since: 'v11.0' },
    {
      name: 'qr_image_url',
      type: 'string',
      description: 'URL of the QR code image, with .format(SVG|PNG)',
      since: 'v11.0',
      modifiers: ['format'],
      checkModifiers: (modifiers) => {
        const format = modifiers.format;
        if (format === undefined || qrImageFormat(format) === undefined)
          throw invalidParameter('qrImageFormat');
      },
    },
  ],
  defaultFields: () => ['code', 'prefilled_message', 'deep_link_url'],
  appendsId: false,
};

const PHONE_NUMBER_NODE_FIELDS: readonly SelectableField[] = [
  ...PHONE_NUMBER_FIELDS,
  edgeField('message_qrdls', 'QR codes and deep links of the phone number', QR_CODE_NODE),
];

export const PHONE_NUMBER_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.phoneNumber,
  fields: PHONE_NUMBER_NODE_FIELDS,
  defaultFields: defaultsFor(PHONE_NUMBER_DEFAULT_FIELDS),
  appendsId: true,
  connections: ['whatsapp_business_profile'],
};

/** Items of the WABA `phone_numbers` list: the same node with its own defaults (phone-number.md §2). */
export const PHONE_NUMBER_LIST_ITEM: NodeTypeDescriptor = {
  typeName: NODE_TYPES.phoneNumber,
  fields: PHONE_NUMBER_NODE_FIELDS,
  defaultFields: defaultsFor(PHONE_NUMBER_LIST_DEFAULT_FIELDS),
  appendsId: true,
};

const HEALTH_STATUS_FIELD = PHONE_NUMBER_FIELDS.find((field) => field.name === 'health_status');

/** What `metadata=1` says of each WABA field (our wording). */
const WABA_FIELD_INFO: Record<WabaFieldName, { type: string; description: string }> = {
  id: { type: 'numeric string', description: 'The WhatsApp Business Account ID' },
  name: { type: 'string', description: 'Name of the WhatsApp Business Account' },
  timezone_id: { type: 'numeric string', description: 'Time zone of the WhatsApp Business Account' },
  currency: { type: 'string', description: 'Currency of the account' },
  message_template_namespace: {
    type: 'string',
    description: 'Namespace of the message templates of the account',
  },
  account_review_status: { type: 'enum', description: 'Status of the review of the account' },
  business_verification_status: {
    type: 'enum',
    description: 'Verification status of the business that owns the account',
  },
  country: { type: 'string', description: 'Country of the account (ISO 3166 alpha-2)' },
  ownership_type: { type: 'enum', description: 'Who owns the account' },
  health_status: { type: 'object', description: 'Whether the account can send messages, and why not' },
};

/** phone-number.md §6: `health_status` takes the same subfields as the number's (WABA view). */
export const WABA_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.waba,
  fields: [
    ...WABA_FIELDS.map((name) => ({
      name,
      ...WABA_FIELD_INFO[name],
      since: 'v11.0' as const,
      ...(name === 'health_status' && HEALTH_STATUS_FIELD?.subfields !== undefined
        ? { subfields: HEALTH_STATUS_FIELD.subfields }
        : {}),
    })),
    edgeField('phone_numbers', 'Phone numbers of the WhatsApp Business Account', PHONE_NUMBER_LIST_ITEM),
  ],
  defaultFields: () => WABA_DEFAULT_FIELDS,
  appendsId: true,
};

/** phone-number.md §5.3: one plain object per number, no `id`; every field by default. */
export const BUSINESS_PROFILE_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.businessProfile,
  fields: BUSINESS_PROFILE_FIELDS.map((name) => ({ name, type: 'string', since: 'v11.0' as const })),
  defaultFields: () => BUSINESS_PROFILE_FIELDS,
  appendsId: false,
};
