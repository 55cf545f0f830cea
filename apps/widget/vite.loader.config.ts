import { createRequire } from 'node:module';
import { defineConfig } from 'vite';

// kassa.js, the loader merchants put on their pages (see @kassa/client/embed/auto). A second build
// beside the page's: a fixed name the API can serve as is, no React, and no emptying of dist/.
const entry = createRequire(import.meta.url).resolve('@kassa/client/embed/auto');

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    minify: true,
    lib: {
      entry,
      formats: ['iife'],
      // Required for iife, but unused: the entry exports nothing and sets window.Kassa itself.
      name: 'KassaLoader',
      fileName: () => 'kassa.js',
    },
  },
});
