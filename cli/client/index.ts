export { packDirectory, type PackOptions } from './pack-directory.ts';
export { uploadDirectory, tarballSource } from './upload-blob.ts';
export { gitignoreFilter } from './gitignore-filter.ts';
