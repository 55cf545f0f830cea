export * from './rail';
export * from './sandbox/sandbox-rail';
export * from './stripe/config';
export * from './stripe/events';
export * from './stripe/signature';
export * from './stripe/stripe-rail';
