import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { PREACT_ALIASES } from './preact-alias';

// The API serves dist/index.html at /pay/{checkoutId} and the assets under /widget/. Each rail's
// panel is a chunk of its own (src/panel-loader.ts); the page names none of them. The browsers of
// the build target (vite's default, baseline widely available) all know <link rel=modulepreload>:
// no polyfill for it in the first load.
export default defineConfig({
  // JSX only: React Fast Refresh cannot swap Preact's components, so an edit reloads the page.
  plugins: [react({ refreshExclude: /./ })],
  resolve: { alias: PREACT_ALIASES },
  base: '/widget/',
  build: { outDir: 'dist', modulePreload: { polyfill: false } },
});
