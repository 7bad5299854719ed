export { createFsObjectStore, type FsObjectStoreConfig } from './fs-object-store.ts';
