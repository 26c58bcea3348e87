import { BUSINESS_PROFILE_FIELDS } from '../contract/business-profile.ts';
import { NODE_TYPES, PHONE_NUMBER_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS } from '../contract/phone-number.ts';
import { WABA_DEFAULT_FIELDS, WABA_FIELDS } from '../contract/waba.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import { qrImageFormat } from '../domain/qr-codes.ts';
import type { NodeTypeDescriptor, SelectableField } from './field-selection.ts';
import { invalidParameter } from './graph-error.ts';
import { pageLimit } from './paging.ts';

function defaultsFor(version: GraphVersion): readonly string[] {
  let fields: readonly string[] = [];
  for (const row of PHONE_NUMBER_DEFAULT_FIELDS) {
    if (versionIndex(row.since) <= versionIndex(version)) fields = row.fields;
  }
  return fields;
}

/** `.limit(n)` on an edge in `fields`: a non-integer is the `limit` error (graph-api.md §4). */
function edgeField(name: string, edge: NodeTypeDescriptor): SelectableField {
  return {
    name,
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
    { name: 'code', since: 'v11.0' },
    { name: 'prefilled_message', since: 'v11.0' },
    { name: 'deep_link_url', since: 'v11.0' },
    {
      name: 'qr_image_url',
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

export const PHONE_NUMBER_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.phoneNumber,
  fields: [...PHONE_NUMBER_FIELDS, edgeField('message_qrdls', QR_CODE_NODE)],
  defaultFields: defaultsFor,
  appendsId: true,
};

const HEALTH_STATUS_FIELD = PHONE_NUMBER_FIELDS.find((field) => field.name === 'health_status');

/** phone-number.md §6: `health_status` takes the same subfields as the number's (WABA view). */
export const WABA_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.waba,
  fields: [
    ...WABA_FIELDS.map((name) =>
      name === 'health_status' && HEALTH_STATUS_FIELD?.subfields !== undefined
        ? { name, since: 'v11.0' as const, subfields: HEALTH_STATUS_FIELD.subfields }
        : { name, since: 'v11.0' as const },
    ),
    edgeField('phone_numbers', PHONE_NUMBER_NODE),
  ],
  defaultFields: () => WABA_DEFAULT_FIELDS,
  appendsId: true,
};

/** phone-number.md §5.3: one plain object per number, no `id`; every field by default. */
export const BUSINESS_PROFILE_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.businessProfile,
  fields: BUSINESS_PROFILE_FIELDS.map((name) => ({ name, since: 'v11.0' as const })),
  defaultFields: () => BUSINESS_PROFILE_FIELDS,
  appendsId: false,
};
