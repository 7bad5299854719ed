export { SecretMasker, sanitizeSecretName, type MaskerOptions, type AddResult } from './secret-masker.ts';
export type { MaskStream } from './mask-stream.ts';
export { defaultSecretNameGlobs, secretsFromEnv, secretNameMatcher, globToRegExp } from './secret-names.ts';
export { secretVariants } from './variants.ts';
