// The private PostgreSQL cluster of the tests; the code lives in bench/private-postgres.js, which the
// benchmark (plain JS, no tsx) shares.
export {
  postgresAvailable,
  startPrivatePostgres,
  type PrivatePostgres,
  type PrivatePostgresOptions,
} from '../../bench/private-postgres.js';
