export { createWebhooksServer } from './server';
export { startWorkers, type Workers } from './workers/run';
export { sweepExpired } from './workers/expiry-sweep';
export { parseEnv, WebhooksEnv } from './env';
