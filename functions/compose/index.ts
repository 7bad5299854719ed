export * from './config.ts';
export * from './open-database.ts';
export * from './start-api-server.ts';
export * from './build-app.ts';
export * from './logger.ts';
export * from './cached-token-store.ts';
