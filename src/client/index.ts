/** `phonegraph` (the package's main export): the typed Graph client, its errors and webhook helpers. */
export * from './errors.ts';
export * from './graph-client.ts';
export * from './resources.ts';
export * from './usage.ts';
export * from './webhooks.ts';
export type * from '../contract/phone-number.ts';
