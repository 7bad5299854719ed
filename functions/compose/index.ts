export * from './config.ts';
export * from './open-database.ts';
export * from './start-api-server.ts';
export * from './build-app.ts';
export * from './logger.ts';
export * from './cached-token-store.ts';
export * from './dispatcher-config.ts';
export * from './start-dispatcher.ts';
