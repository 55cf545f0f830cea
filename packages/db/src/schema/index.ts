export * from './merchants';
export * from './payments';
export * from './observations';
export * from './audit';
export * from './outbox';
export * from './idempotency';
export * from './inbox';
export * from './webhooks';
