export { packDirectory, type PackOptions } from './pack-directory.ts';
export { uploadBlob, uploadDirectory, tarballSource, type ApiClientOptions, type UploadedBlob } from './upload-blob.ts';
