import type { Alias } from 'vite';

/**
 * The widget is written against React's API and runs on Preact (preact/compat): React 19's runtime
 * alone is 67.9 KB gzipped, Preact's about 5 KB, and the first load's budget is 60 KB. The build,
 * the unit tests and the size bench's baseline all resolve react and react-dom through these, so
 * what is tested is what ships. TypeScript still checks against React's types (@types/react).
 */
export const PREACT_ALIASES: Alias[] = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/compat/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/compat/jsx-dev-runtime' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/server$/, replacement: 'preact/compat/server' },
];
