export * from './rail';
export * from './sandbox/sandbox-rail';
