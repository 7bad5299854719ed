export { fetchArchive } from './fetch-archive.ts';
export {
  defaultLimits,
  defaultRetry,
  type FetchLimits,
  type FetchOptions,
  type FetchProgress,
  type FetchResult,
  type OpenS3,
  type RetryPolicy,
} from './fetch-options.ts';
export { redactUrl } from './redact-url.ts';
