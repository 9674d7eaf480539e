export {
  ConflictError,
  MlTrackingError,
  NotFoundError,
  StoreError,
  ValidationError,
} from './errors.js';
export type { StoreErrorContext } from './errors.js';
export { openStore, DEFAULT_STORE_FOLDER } from './store/open-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export { checkStore } from './store/check-store.js';
export type { StoreCheckReport, StoreCheckStep } from './store/check-store.js';
export type {
  ListOptions,
  ListPage,
  ObjectData,
  ObjectInfo,
  RetryPolicy,
  Store,
  WriteOptions,
} from './store/types.js';
