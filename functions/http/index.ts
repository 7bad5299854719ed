export * from './create-app.ts';
export * from './metrics.ts';
export type * from './app-env.ts';
