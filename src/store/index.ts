// `ml-tracking/store`: the store alone, without the renderer, the metrics or the CLI.
export { openStore, DEFAULT_STORE_FOLDER } from './open-store.js';
export type { OpenStoreOptions } from './open-store.js';
export { checkStore } from './check-store.js';
export type { StoreCheckReport, StoreCheckStep } from './check-store.js';
export type {
  AppendOptions,
  Leftover,
  ListOptions,
  ListPage,
  ObjectChunks,
  ObjectData,
  ObjectInfo,
  RetryPolicy,
  Store,
  WriteOptions,
} from './types.js';
export {
  ConflictError,
  MlTrackingError,
  NotFoundError,
  StoreError,
  ValidationError,
} from '../errors.js';
export type { StoreErrorContext } from '../errors.js';
