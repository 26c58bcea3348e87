import { NODE_TYPES, PHONE_NUMBER_DEFAULT_FIELDS, PHONE_NUMBER_FIELDS } from '../contract/phone-number.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import type { NodeTypeDescriptor } from './field-selection.ts';

function defaultsFor(version: GraphVersion): readonly string[] {
  let fields: readonly string[] = [];
  for (const row of PHONE_NUMBER_DEFAULT_FIELDS) {
    if (versionIndex(row.since) <= versionIndex(version)) fields = row.fields;
  }
  return fields;
}

export const PHONE_NUMBER_NODE: NodeTypeDescriptor = {
  typeName: NODE_TYPES.phoneNumber,
  fields: PHONE_NUMBER_FIELDS,
  defaultFields: defaultsFor,
  appendsId: true,
};
