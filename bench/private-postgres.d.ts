// Types of private-postgres.js for the TypeScript tests (test/helpers/postgres-server.ts).

/** A private PostgreSQL cluster: initdb into a temp dir, a free loopback port, never the system cluster. */
export interface PrivatePostgres {
  /** The cluster's `postgres` database (for admin statements). */
  readonly url: string;
  /** The postmaster's pid (its backends are its children). */
  readonly pid: number | undefined;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /**
   * Lets the process exit while the cluster runs (no pipes, unref'd child); the cluster is killed and its
   * directory removed when the process exits. For a cluster shared by a whole test file.
   */
  readonly background?: boolean;
}

/** Whether a private cluster can be started here (the binaries are installed). */
export declare function postgresAvailable(): boolean;
export declare function startPrivatePostgres(options?: PrivatePostgresOptions): Promise<PrivatePostgres>;
