/** Whether the database answers and its schema is the one this code expects. */
export interface SchemaStatus {
  /** Highest migration applied, 0 on an empty database. */
  readonly applied: number;
  /** Highest migration this code ships. */
  readonly expected: number;
}

export interface Readiness {
  /** Throws `unavailable` when the database cannot be reached. */
  schemaStatus(): Promise<SchemaStatus>;
}
