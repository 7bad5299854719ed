export * from './job-spec-schema.ts';
export * from './job-schema.ts';
export * from './query-schemas.ts';
export * from './token-schemas.ts';
export * from './blob-schemas.ts';
export * from './definition-schemas.ts';
