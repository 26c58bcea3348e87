/**
 * `phonegraph` (the package's main export): the typed Graph client, re-exported from
 * `@phonegraph/client` so one copy runs and `instanceof` holds across both names.
 */
export * from '@phonegraph/client';
