export * from './config.ts';
export * from './open-database.ts';
export * from './start-api-server.ts';
export * from './build-app.ts';
export * from './logger.ts';
