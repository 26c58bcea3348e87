// Source entry for phonegraph's own type-check (condition phonegraph-source); not published.
export * from '../../../src/client/index.ts';
