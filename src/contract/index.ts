/** `phonegraph/contract`: wire types, enums, version and field tables, the error catalogue. */
export * from './errors.ts';
export * from './phone-number.ts';
export * from './scenario.ts';
export * from './versions.ts';
export * from './graph-routes.ts';
