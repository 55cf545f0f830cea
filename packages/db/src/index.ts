export {
  createDb,
  openDb,
  pingDb,
  rowsOf,
  type Db,
  type DbOptions,
  type Database,
  type Engine,
  type Tx,
} from './client';
export { newId } from './ids';
export * from './checkouts';
export * from './apply-observation';
export * from './merchants';
export * from './idempotency';
export * from './outbox';
export * as tables from './schema';
export * from './inbox';
export * from './webhooks';
export * from './cursors';
export * from './rail-refs';
export * from './payouts';
