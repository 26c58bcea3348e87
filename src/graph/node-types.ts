import { NODE_TYPES, PHONE_NUMBER_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS } from '../contract/phone-number.ts';
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

/** phone-number.md §6. */
export const WABA_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.waba,
  fields: [
    { name: 'id', since: 'v11.0' },
    { name: 'name', since: 'v11.0' },
    { name: 'timezone_id', since: 'v11.0' },
    { name: 'currency', since: 'v11.0' },
    { name: 'message_template_namespace', since: 'v11.0' },
    edgeField('phone_numbers', PHONE_NUMBER_NODE),
  ],
  defaultFields: () => ['name', 'id'],
  appendsId: true,
};
