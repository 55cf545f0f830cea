import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves dist/index.html at /pay/{checkoutId} and the assets under /widget/.
export default defineConfig({
  plugins: [react()],
  base: '/widget/',
  build: { outDir: 'dist' },
});
