import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The parley binary serves the built files from build/web (its web_dir); `npm run dev` proxies the API to a local
// `parley serve` so the dashboard runs with hot reload against real data.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    css: false,
  },
});
